import Domain
import Fluent
import Foundation
import Vapor

/// `passerelle retention run`: purges, in every organisation that set a retention period, the
/// closed cases closed longer ago than that period. Each purge is audited like a supervisor's.
struct RetentionCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "run | preview")
        var action: String
    }

    var help: String { "Applies each organisation's retention period to closed cases (passerelle retention run|preview)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard ["run", "preview"].contains(signature.action) else {
            throw KeysCommand.Refused(description: "unknown action; use: passerelle retention run (or preview)")
        }
        let app = context.application
        var total = 0
        for settings in try await CaseSettings.query(on: app.db).filter(\.$retentionYears != nil).all() {
            let due = try await Retention.due(organisationID: settings.$organisation.id, years: settings.retentionYears!, on: app.db, now: Date())
            for file in due {
                if signature.action == "run" {
                    try await app.db.writeTransaction { db in
                        try await AuditLog.append(
                            on: db, actor: .system, action: .casePurged, target: file.id?.uuidString, requestID: nil,
                            detail: "\(file.reference) retention")
                        try await CaseService.purge(file, vault: CaseVault(master: app.masterKey), on: db)
                    }
                }
                context.console.print("\(signature.action == "run" ? "purged" : "would purge"): \(file.reference)")
            }
            total += due.count
        }
        if signature.action == "run", total > 0 { try await CaseService.checkpointIfSQLite(app.db) }
        context.console.print("retention \(signature.action): \(total) case(s)")
    }
}

enum Retention {
    /// Closed cases of the organisation closed more than `years` years before `now`.
    static func due(organisationID: UUID, years: Int, on db: any Database, now: Date) async throws -> [CaseFile] {
        let cutoff = Calendar(identifier: .gregorian).date(byAdding: .year, value: -years, to: now)!
        return try await CaseFile.query(on: db).filter(\.$organisation.$id == organisationID)
            .filter(\.$status ~~ [CaseStatus.closed.rawValue, CaseStatus.closedReferred.rawValue])
            .filter(\.$closedAt < cutoff).sort(\.$closedAt).all()
    }
}
