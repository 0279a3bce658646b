import Domain
import Fluent
import Foundation
import Testing
import Vapor

@testable import App

/// The one error pattern, on every form, in both languages: submitted empty and with a bad
/// value, the page answers 422 with "Erreur : " / "Error: " before its title, an error summary
/// (`role="alert"`, focused on load) linking to the field, and the field's own message tied to it.
@Suite struct FormErrorPatternTests {
    struct Submission {
        let name: String
        /// The page holding the form (`{id}` is the case); it gives the CSRF token.
        let form: String
        let post: String
        let fields: [(String, String)]
        /// The field whose message the summary must link to.
        let field: String
    }

    static func submissions(version: Int) -> [Submission] {
        let long = String(repeating: "字", count: 251)
        let v = ("version", String(version))
        return [
            Submission(name: "new case, empty", form: "/cases/new", post: "/cases", fields: [], field: "preferredName"),
            Submission(name: "new case, too long", form: "/cases/new", post: "/cases", fields: [("preferredName", long)], field: "preferredName"),
            Submission(name: "person, empty", form: "/cases/{id}/person", post: "/cases/{id}/person", fields: [v], field: "preferredName"),
            Submission(
                name: "person, bad date", form: "/cases/{id}/person", post: "/cases/{id}/person",
                fields: [v, ("preferredName", "Personne Fictive"), ("dateOfBirth", "2026-13-45")], field: "dateOfBirth"),
            Submission(
                name: "safe contact, bad channel", form: "/cases/{id}/safe-contact", post: "/cases/{id}/safe-contact",
                fields: [v, ("channels[]", "pigeon")], field: "channels"),
            Submission(
                name: "experience, bad fees", form: "/cases/{id}/experience", post: "/cases/{id}/experience", fields: [v, ("fees", "beaucoup")],
                field: "fees"),
            Submission(name: "note, empty", form: "/cases/{id}", post: "/cases/{id}/notes", fields: [], field: "body"),
            Submission(name: "task, empty", form: "/cases/{id}", post: "/cases/{id}/tasks", fields: [], field: "taskTitle"),
            Submission(
                name: "task, bad date", form: "/cases/{id}", post: "/cases/{id}/tasks",
                fields: [("title", "Appeler (fictif)"), ("dueOn", "2026-13-01")],
                field: "taskDueOn"),
            Submission(name: "consent, empty", form: "/cases/{id}", post: "/cases/{id}/consents", fields: [], field: "consentGivenOn"),
            Submission(
                name: "legal action, bad amount", form: "/cases/{id}", post: "/cases/{id}/legal-actions",
                fields: [("kind", "civil_claim"), ("status", "filed"), ("amount", "beaucoup")], field: "legalAmount"),
            Submission(
                name: "status, closed without a reason", form: "/cases/{id}", post: "/cases/{id}/status", fields: [v, ("status", "Closed")],
                field: "closureReason"),
            Submission(
                name: "case settings, bad retention", form: "/case-settings", post: "/case-settings",
                fields: [("visibility", "assigned_only"), ("retentionYears", "sept")], field: "retentionYears"),
            Submission(name: "password, empty", form: "/account", post: "/account/password", fields: [], field: "current"),
            Submission(name: "invitation, empty", form: "/users/new", post: "/users", fields: [], field: "email"),
            Submission(
                name: "invitation, bad e-mail", form: "/users/new", post: "/users",
                fields: [("email", "pas-une-adresse"), ("displayName", "Personne Fictive"), ("roles[]", "caseworker"), ("language", "fr")],
                field: "email"),
            Submission(name: "two-factor, empty code", form: "/account/two-factor", post: "/account/two-factor", fields: [], field: "code"),
            Submission(
                name: "application step, bad date", form: "/cases/{id}/applications/{application}",
                post: "/cases/{id}/applications/{application}/events", fields: [("version", "1"), ("event", "submit"), ("on", "2026-13-01")],
                field: "on"),
        ]
    }

    /// The forms of a system administrator and the set-password page of an invitation.
    static let adminSubmissions = [
        Submission(name: "organisation, empty", form: "/organisations/new", post: "/organisations", fields: [], field: "name"),
        Submission(
            name: "pathway, empty names", form: "/pathways/VOWP", post: "/pathways/VOWP", fields: [("nameFR", ""), ("nameEN", "")],
            field: "nameFR"),
        Submission(name: "new password, empty", form: "/set-password/{token}", post: "/set-password/{token}", fields: [], field: "password"),
    ]

    @Test(arguments: Language.allCases) func everyFormShowsTheSummaryAndTheFieldMessage(_ language: Language) async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor, .orgAdmin], language: language)
            let file = try await Fixtures.openCase(app, in: organisation, by: user)
            let browser = Browser(app, acceptLanguage: language.rawValue)
            try await browser.signIn(user.email)
            let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$code == "VOWP").filter(\.$isCurrent == true).first())
            try await browser.get("/cases/\(file.id!.uuidString)")
            let created = try await browser.post("/cases/\(file.id!.uuidString)/applications", [("pathway", pathway.id!.uuidString)])
            let application = try #require(created.location?.split(separator: "?").first?.split(separator: "/").last.map(String.init))
            let prefix = language == .fr ? "<title>Erreur : " : "<title>Error: "
            for submission in Self.submissions(version: file.version) {
                let path = { (text: String) in
                    text.replacingOccurrences(of: "{id}", with: file.id!.uuidString).replacingOccurrences(of: "{application}", with: application)
                }
                try await browser.get(path(submission.form))
                // MUT
                let response = try await browser.post(path(submission.post), submission.fields)
                // validate
                let html = response.text
                let label = "\(submission.name) (\(language))"
                #expect(response.status == .unprocessableEntity, "\(label): \(response.status)")
                #expect(html.contains(prefix), "\(label): no error title")
                #expect(html.contains(#"class="error-summary" role="alert" tabindex="-1" autofocus"#), "\(label): no summary")
                #expect(html.contains("href=\"#\(submission.field)\""), "\(label): the summary does not link to \(submission.field)")
                #expect(html.contains("id=\"\(submission.field)\""), "\(label): no element \(submission.field)")
                #expect(html.contains("id=\"\(submission.field)-error\""), "\(label): no message for \(submission.field)")
                #expect(
                    html.contains(#"aria-describedby=""#)
                        && html.range(of: "\(submission.field)-error\"")
                            != nil,
                    "\(label): the message is not tied")
            }
        }
    }

    @Test(arguments: Language.allCases) func adminFormsAndTheNewPasswordPageShowTheSummaryToo(_ language: Language) async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.systemAdmin], language: language)
            let invited = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: language)
            let token = "jeton-fictif-\(language.rawValue)"
            try await SetPasswordToken(userID: invited.id!, tokenHash: Secrets.sha256Hex(token), expiresAt: app.clock.now().addingTimeInterval(3600))
                .create(on: app.db)
            let browser = Browser(app, acceptLanguage: language.rawValue)
            try await browser.signIn(admin.email)
            let anonymous = Browser(app, acceptLanguage: language.rawValue)
            let prefix = language == .fr ? "<title>Erreur : " : "<title>Error: "
            for submission in Self.adminSubmissions {
                let on = submission.form.contains("{token}") ? anonymous : browser
                let path = { (text: String) in text.replacingOccurrences(of: "{token}", with: token) }
                try await on.get(path(submission.form))
                // MUT
                let response = try await on.post(path(submission.post), submission.fields)
                // validate
                let html = response.text
                let label = "\(submission.name) (\(language))"
                #expect(response.status == .unprocessableEntity, "\(label): \(response.status)")
                #expect(html.contains(prefix), "\(label): no error title")
                #expect(html.contains(#"class="error-summary" role="alert" tabindex="-1" autofocus"#), "\(label): no summary")
                #expect(html.contains("href=\"#\(submission.field)\""), "\(label): the summary does not link to \(submission.field)")
                #expect(html.contains("id=\"\(submission.field)-error\""), "\(label): no message for \(submission.field)")
                #expect(html.contains("\(submission.field)-error\""), "\(label): the message is not tied")
            }
        }
    }

    @Test func aPageWithoutErrorsHasNoSummaryAndItsPlainTitle() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(user.email)
            // MUT
            let page = try await browser.get("/cases/new")
            // validate
            #expect(!page.text.contains("error-summary"))
            #expect(!page.text.contains("<title>Erreur"))
        }
    }
}
