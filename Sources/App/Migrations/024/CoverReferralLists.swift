import Fluent
import SQLKit

/// The inbox's lists answered from their indexes. The sent list of an organisation counted and
/// sorted its referrals by reading each row (a thousand table lookups a page at 100,000
/// referrals, to test who sent it and for which case, then to break ties by id); the answered
/// list read each row to test its state. Each index now carries those columns, in the lists'
/// order, so only the page's own rows are read.
struct CoverReferralLists: AsyncMigration {
    var name: String { "024_CoverReferralLists" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS referrals_sender_idx").run()
        try await sql.raw("CREATE INDEX referrals_sender_idx ON referrals (sender_organisation_id, created_at, id, sender_user_id, case_id)").run()
        try await sql.raw("DROP INDEX IF EXISTS referrals_receiver_time_idx").run()
        try await sql.raw("CREATE INDEX referrals_receiver_time_idx ON referrals (receiver_organisation_id, created_at, id, state)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS referrals_sender_idx").run()
        try await sql.raw("CREATE INDEX referrals_sender_idx ON referrals (sender_organisation_id, created_at)").run()
        try await sql.raw("DROP INDEX IF EXISTS referrals_receiver_time_idx").run()
        try await sql.raw("CREATE INDEX referrals_receiver_time_idx ON referrals (receiver_organisation_id, created_at)").run()
    }
}
