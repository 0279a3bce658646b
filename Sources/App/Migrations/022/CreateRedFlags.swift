import Fluent
import SQLKit

/// Red flags across organisations: each employer, recruiter and phone number named in a case's
/// experience as a keyed hash under a network key (`red_flag_tokens`, no clear text), with the
/// case's sector and province for the coordinator's counts; and each organisation's request to
/// be put in touch about one (`red_flag_contacts`).
struct CreateRedFlags: AsyncMigration {
    var name: String { "022_CreateRedFlags" }

    func prepare(on database: any Database) async throws {
        try await database.schema("red_flag_tokens")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("token", .string, .required)
            .field("kind", .string, .required)
            .field("sector", .string, .required)
            .field("province", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "token")
            .create()
        try await database.schema("red_flag_contacts")
            .id()
            .field("token", .string, .required)
            .field("organisation_id", .uuid, .required)
            .field("requested_by", .uuid, .required)
            .field("requested_at", .datetime, .required)
            .unique(on: "token", "organisation_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX red_flag_tokens_token_idx ON red_flag_tokens (token, organisation_id)").run()
        // The trends page's shared-names table reads these rows: they move the counts' stamp.
        try await EvidenceStamp.redFlagsTrigger.create(on: sql)
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await EvidenceStamp.redFlagsTrigger.drop(on: sql) }
        for table in ["red_flag_contacts", "red_flag_tokens"] { try await database.schema(table).delete() }
    }
}
