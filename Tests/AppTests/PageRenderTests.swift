import Domain
import Foundation
import Testing
import Vapor

@testable import App

/// Every page's mock rendered in French and English against its template: a variable the
/// template reads that the context does not have (Leaf would show nothing), a catalog key missing
/// in either language (it would show as the key), or a template without a mock fails here.
@Suite struct PageRenderTests {
    static var mocks: [any Page] {
        [
            CasesController.IndexContext.mock, CasesController.NewContext.mock, CasePage.Context.mock, CasesController.PersonContext.mock,
            CasesController.SafeContactContext.mock, CasesController.PurgeContext.mock, CasesController.SettingsContext.mock,
            CaseSectionsController.ExperienceContext.mock, CaseExportController.PrintContext.mock, AuthController.LoginContext.mock,
            AuthController.CodeContext<AuthController.SignInCode>.mock, AuthController.CodeContext<AuthController.SetUpCode>.mock,
            AuthController.SetPasswordContext.mock, AccountController.AccountContext.mock, AccountController.SessionsContext.mock,
            AccountController.TwoFactorContext.mock, UsersController.IndexContext.mock, UsersController.NewContext.mock,
            UsersController.ShowContext.mock, OrganisationsController.IndexContext.mock, OrganisationsController.FormContext.mock,
            HomeController.HomeContext.mock, ErrorContext.mock, AuditController.IndexContext.mock, DeadlinesController.BoardContext.mock,
            FiguresController.FiguresContext.mock, PathwayTypesController.IndexContext.mock, PathwayTypesController.EditContext.mock,
            ApplicationsController.ShowContext.mock, DirectoryController.IndexContext.mock, DirectoryController.ServiceContext.mock,
            DirectoryController.StaleContext.mock, DirectoryController.EditContext.mock, DirectoryController.NewContext.mock,
            DirectoryImportController.ImportContext.mock, ReferralsController.FormContext.mock,
            ReferralsController.InboxContext.mock, ReferralsController.ShowContext.mock, ReferralsController.LetterContext.mock,
            TrendsController.TrendsContext.mock, TrendsController.TablesContext.mock,
        ]
    }

    static let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/Views").standardized

    /// A template's text with its partials (`#extend("folder/_name")`, files whose name starts
    /// with `_`) written in, as Leaf renders them, so their variables are checked with the page's.
    static func source(_ template: String) throws -> String {
        var text = try String(contentsOf: views.appendingPathComponent(template + ".leaf"), encoding: .utf8)
        while let match = text.firstMatch(of: /#extend\("([a-z\-]+\/_[a-z\-_]+)"\)/) {
            text.replaceSubrange(match.range, with: try source(String(match.output.1)))
        }
        return text
    }

    @Test func everyTemplateHasAMock() throws {
        // setup
        let files = try #require(FileManager.default.enumerator(at: Self.views, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
            .filter { $0.pathExtension == "leaf" }
            .map { $0.standardized.path.replacingOccurrences(of: Self.views.path + "/", with: "").replacingOccurrences(of: ".leaf", with: "") }
        // MUT
        let mocked = Set(Self.mocks.map { type(of: $0).template })
        // validate
        let pages = Set(files.filter { !($0.split(separator: "/").last ?? "").hasPrefix("_") })
        #expect(pages.subtracting(["base"]) == mocked)
    }

    @Test func everyVariableATemplateReadsIsInItsContext() throws {
        for mock in Self.mocks {
            // setup
            let template = type(of: mock).template
            let shape = try Shape.of(mock)
            // The fixed paths are written into the templates at load, not encoded.
            shape.child("page").keys["links"] = try Shape.of(PageChrome.Links.site)
            // MUT
            let problems =
                TemplateCheck.unknownVariables(in: try Self.source(template), against: shape)
                + TemplateCheck.unknownVariables(in: try Self.source("base"), against: shape).map { "base " + $0 }
            // validate
            #expect(problems.isEmpty, "\(template): \(problems)")
        }
    }

    @Test func aMistypedVariableIsFound() throws {
        // setup
        let shape = try Shape.of(CasesController.PurgeContext.mock)
        // MUT
        let problems = TemplateCheck.unknownVariables(
            in: "#(reference) #(links.file) #(refernce) #for(x in page.nav):#(x.href) #(x.hraf)#endfor #if(errors.anything):#endif", against: shape)
        // validate
        #expect(problems == ["line 1: refernce", "line 1: x.hraf"])
    }

    @Test(arguments: Language.allCases) func everyPageRendersWithEveryTextInItsLanguage(_ language: Language) async throws {
        try await withTestApp { app in
            // setup
            let localizer = app.localizer
            let prefixes = Set(Language.allCases.flatMap { localizer.catalogs[$0]!.keys.map { String($0.split(separator: ".")[0]) } })
            for mock in Self.mocks {
                let request = Request(application: app, on: app.eventLoopGroup.next())
                request.setLanguage(language)
                // MUT
                let response = try await request.render(mock)
                let html = String(buffer: response.body.buffer ?? ByteBuffer())
                // validate
                let template = type(of: mock).template
                #expect(html.contains(type(of: mock).isFragment ? "<section" : "<main"), "\(template) did not render")
                #expect(!html.contains("#("), "\(template): Leaf syntax left in the page")
                let tokens = html.split(whereSeparator: { !($0.isLetter || $0.isNumber || "_.-/@".contains($0)) })
                    .map { String($0.trimmingCharacters(in: CharacterSet(charactersIn: "."))) }
                let keys = tokens.filter { $0.wholeMatch(of: /[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+/) != nil }
                    .filter { prefixes.contains(String($0.split(separator: ".")[0])) && !localizer.has($0, in: language) }
                #expect(keys.isEmpty, "\(template) in \(language): \(Set(keys))")
                // Every field's message has an id that its control points at (the mocks have an
                // error on every field).
                let messages = html.matches(of: /<p class="field-error"( id="([^"]+)")?/).map { $0.output.2.map(String.init) }
                let described = Set(html.matches(of: /aria-describedby="([^"]+)"/).flatMap { $0.output.1.split(separator: " ").map(String.init) })
                #expect(!messages.contains(nil), "\(template): a field message without an id")
                let untied = messages.compactMap { $0 }.filter { !described.contains($0) }
                #expect(untied.isEmpty, "\(template): messages no control points at: \(untied)")
            }
        }
    }
}
