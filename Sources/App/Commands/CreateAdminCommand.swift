import Domain
import Fluent
import Vapor

/// `passerelle create-admin --email E`: the first system admin of a real install. Prints a
/// one-time link to choose a password; two-factor is set up at the first sign-in.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "E-mail address of the new system admin")
        var email: String?

        @Option(name: "name", help: "Display name (default: the e-mail address)")
        var name: String?
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    static let instanceOrganisationName = "Administration Passerelle"

    var help: String { "Creates a system administrator and prints a one-time set-password link." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let email = EmailAddress.normalise(signature.email ?? "")
        guard EmailAddress.isValid(email) else { throw Refused(description: "--email needs a valid e-mail address") }
        guard try await User.query(on: app.db).filter(\.$email == email).count() == 0 else {
            throw Refused(description: "an account with this e-mail address already exists")
        }
        let token = Secrets.randomToken()
        let expires = Date().addingTimeInterval(app.config.invitationLifetime)
        let name = signature.name ?? email
        try await app.db.writeTransaction { db in
            let organisation: Organisation
            if let existing = try await Organisation.query(on: db).filter(\.$name == Self.instanceOrganisationName).first() {
                organisation = existing
            } else {
                organisation = Organisation(name: Self.instanceOrganisationName, type: .other, provinces: [], languages: ["fr", "en"])
                try await organisation.create(on: db)
                try await AuditLog.append(
                    on: db, actor: .system, action: .organisationCreated, target: organisation.id?.uuidString,
                    requestID: nil, detail: organisation.name)
            }
            let user = User(organisationID: organisation.id!, email: email, displayName: name, roles: [.systemAdmin], language: .fr)
            try await user.create(on: db)
            try await SetPasswordToken(userID: user.id!, tokenHash: Secrets.sha256Hex(token), expiresAt: expires).create(on: db)
            try await AuditLog.append(
                on: db, actor: .system, action: .userInvited, target: user.id?.uuidString, requestID: nil,
                detail: "create-admin")
        }
        context.console.print("system admin created: \(email)")
        context.console.print("set-password link (valid until \(expires)): \(app.config.publicURL)\(SiteURL.setPassword(.value(token)).path)")
    }
}
