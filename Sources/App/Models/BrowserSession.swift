import Fluent
import Foundation

/// A browser session. The cookie carries a random key; only its SHA-256 is stored, so a copy of
/// the database does not let anyone take over a session.
final class BrowserSession: Model, @unchecked Sendable {
    static let schema = "browser_sessions"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?

    @Field(key: "key_hash") var keyHash: String
    @OptionalField(key: "user_id") var userID: UUID?
    /// JSON of Vapor's `SessionData`.
    @Field(key: "data") var data: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @OptionalField(key: "user_agent") var userAgent: String?
    @OptionalField(key: "address") var address: String?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $keyHash, $userID, $data, $createdAt, $lastSeenAt, $userAgent, $address] }

    init(keyHash: String, userID: UUID?, data: String, now: Date, userAgent: String?, address: String?) {
        self.keyHash = keyHash
        self.userID = userID
        self.data = data
        self.createdAt = now
        self.lastSeenAt = now
        self.userAgent = userAgent
        self.address = address
    }
}
