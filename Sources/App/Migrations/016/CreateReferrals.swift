import Fluent
import SQLKit

/// Referrals from a case to a directory service: the referral (state, parties, the sealed
/// snapshot of what travels), its own data key in a table of its own (deleting the row makes the
/// snapshot unreadable), and its dated history.
struct CreateReferrals: AsyncMigration {
    var name: String { "016_CreateReferrals" }

    func prepare(on database: any Database) async throws {
        try await database.schema("referrals")
            .id()
            .field("case_id", .uuid, .references("cases", "id", onDelete: .setNull))
            .field("sender_organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("sender_user_id", .uuid)
            .field("service_id", .uuid, .references("directory_services", "id", onDelete: .setNull))
            .field("service_name", .string, .required)
            .field("receiver_name", .string, .required)
            .field("receiver_organisation_id", .uuid, .references("organisations", "id", onDelete: .setNull))
            .field("state", .string, .required)
            .field("decline_reason", .string)
            .field("needs", .string, .required)
            .field("letter_language", .string, .required)
            .field("sealed_snapshot", .data)
            .field("receiver_case_id", .uuid, .references("cases", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .create()
        try await database.schema("referral_keys")
            .id()
            .field("referral_id", .uuid, .required, .references("referrals", "id", onDelete: .cascade))
            .field("wrapped", .data, .required)
            .unique(on: "referral_id")
            .create()
        try await database.schema("referral_events")
            .id()
            .field("referral_id", .uuid, .required, .references("referrals", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("event", .string, .required)
            .field("state", .string, .required)
            .field("party", .string, .required)
            .field("actor_id", .uuid)
            .field("reason", .string)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX referrals_receiver_idx ON referrals (receiver_organisation_id, state, created_at)").run()
        try await sql.raw("CREATE INDEX referrals_sender_idx ON referrals (sender_organisation_id, created_at)").run()
        try await sql.raw("CREATE INDEX referrals_case_idx ON referrals (case_id)").run()
        try await sql.raw("CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("referral_events").delete()
        try await database.schema("referral_keys").delete()
        try await database.schema("referrals").delete()
    }
}
