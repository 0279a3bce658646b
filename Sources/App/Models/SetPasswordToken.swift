import Fluent
import Foundation

/// A one-time link to choose a password (invitation or reset). Only the token's hash is stored.
final class SetPasswordToken: Model, @unchecked Sendable {
    static let schema = "set_password_tokens"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $user, $tokenHash, $expiresAt, $usedAt] }

    init(userID: UUID, tokenHash: String, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
