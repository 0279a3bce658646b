import Fluent
import Foundation
import Testing

@testable import App

/// Every model lists its properties by hand (Fluent's default finds them by reflection on every
/// row). A property added to a model but not to its list would silently never be read or saved:
/// this compares each list with what reflection finds.
@Suite struct ModelPropertiesTests {
    static let models: [any Model.Type] = [
        AuditEvent.self, AuditHead.self, BrowserSession.self, CalendarFeed.self, CaseAssignment.self, CaseConsent.self,
        CaseCounter.self, CaseDocument.self, CaseExperience.self, CaseFile.self, CaseKey.self, CaseLegalAction.self,
        CaseNameTerm.self, CaseNeed.self, CaseNote.self, CaseSettings.self, CaseTask.self, DigestSend.self, KeyCheck.self,
        DirectoryChange.self, DirectoryOrganisation.self, DirectoryService.self, DirectoryImportUpload.self, Referral.self, ReferralKey.self,
        ReferralStep.self,
        Organisation.self, PathwayApplication.self, PathwayType.self, SetPasswordToken.self, SignInFailure.self, User.self,
    ]

    @Test(arguments: models.map { ModelType($0) })
    func handWrittenListMatchesReflection(_ type: ModelType) {
        let model = type.type.init()
        let listed = model.properties.map { ObjectIdentifier($0) }
        let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map { ObjectIdentifier($0) }
        #expect(listed.count == reflected.count, "\(type): \(listed.count) listed, \(reflected.count) declared")
        #expect(Set(listed) == Set(reflected), "\(type): the list and the declarations differ")
    }

    @Test func everyModelIsChecked() throws {
        let folder = LocalizationTests.root.appendingPathComponent("Sources/App/Models")
        var declared: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in source.split(separator: "\n") where line.hasPrefix("final class ") && line.contains(": Model") {
                declared.insert(String(line.dropFirst("final class ".count).prefix { $0 != ":" }))
            }
        }
        #expect(declared == Set(Self.models.map { String(describing: $0) }))
    }
}

struct ModelType: CustomStringConvertible, Sendable {
    let type: any Model.Type
    init(_ type: any Model.Type) { self.type = type }
    var description: String { String(describing: type) }
}
