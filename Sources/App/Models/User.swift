import Domain
import Fluent
import Foundation

final class User: Model, @unchecked Sendable {
    static let schema = "users"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Parent(key: "organisation_id") var organisation: Organisation
    /// Normalised (trimmed, lower-case); unique.
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    /// bcrypt of the SHA-256 of the password; nil until the invitation is accepted.
    @OptionalField(key: "password_hash") var passwordHash: String?
    /// Comma-separated `Role` raw values.
    @Field(key: "roles") var roles: String
    @Field(key: "language") var language: String
    /// Base32 TOTP secret once two-factor is set up.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// Last accepted TOTP time step: a code is accepted once only.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    /// Only `passerelle demo` sets this, for its demo accounts.
    @Field(key: "two_factor_exempt") var twoFactorExempt: Bool
    @Field(key: "is_active") var isActive: Bool
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?
    /// Failed sign-ins since the last successful one, shown at the next sign-in.
    @Field(key: "failed_since_last_sign_in") var failedSinceLastSignIn: Int
    /// The daily deadline digest (`passerelle notify`); on unless the person turns it off.
    @Field(key: "digest_enabled") var digestEnabled: Bool

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $createdAt, $organisation, $email, $displayName, $passwordHash, $roles, $language, $totpSecret, $totpLastStep,
            $twoFactorExempt, $isActive, $lastSignInAt, $failedSinceLastSignIn, $digestEnabled,
        ]
    }

    init(id: UUID? = nil, organisationID: UUID, email: String, displayName: String, roles: [Role], language: Language) {
        self.id = id
        self.$organisation.id = organisationID
        self.email = EmailAddress.normalise(email)
        self.displayName = displayName
        self.roles = Role.storedList(roles)
        self.language = language.rawValue
        self.twoFactorExempt = false
        self.isActive = true
        self.failedSinceLastSignIn = 0
        self.digestEnabled = true
    }

    var roleList: [Role] { Role.parseList(roles) }

    /// Who may be given a case or a task: an active account with a role that reads case data
    /// (`Role.readsCaseData`). The one rule behind every list of colleagues and every check.
    var holdsCases: Bool { isActive && roleList.canReadCases }
    var preferredLanguage: Language { Language(rawValue: language) ?? .fr }
    var hasTwoFactor: Bool { totpSecret != nil }
}
