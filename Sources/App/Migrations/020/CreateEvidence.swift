import Fluent
import SQLKit

/// The network's figures kept on write: one contribution per counted case (`evidence_facts`,
/// under a keyed hash of the case, not its id) and the counts they add up to by dimension, value,
/// month and province (`evidence_counts`, what the trends page reads); exports kept as releases.
struct CreateEvidence: AsyncMigration {
    var name: String { "020_CreateEvidence" }

    func prepare(on database: any Database) async throws {
        try await database.schema("evidence_facts")
            .field("token", .string, .identifier(auto: false))
            .field("organisation_id", .uuid, .required)
            .field("fact", .string, .required)
            .create()
        try await database.schema("evidence_counts")
            .field("dimension", .string, .required)
            .field("month", .string, .required)
            .field("province", .string, .required)
            .field("value", .string, .required)
            .field("count", .int, .required)
            .unique(on: "dimension", "month", "province", "value")
            .create()
        try await database.schema("evidence_releases")
            .id()
            .field("table_code", .string, .required)
            .field("period_from", .string, .required)
            .field("period_to", .string, .required)
            .field("provinces", .string, .required)
            .field("cells", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "table_code", "period_from", "period_to", "provinces")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX evidence_facts_organisation_idx ON evidence_facts (organisation_id)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["evidence_releases", "evidence_counts", "evidence_facts"] { try await database.schema(table).delete() }
    }
}
