import Fluent

struct CreateCaseSettings: AsyncMigration {
    var name: String { "002_CreateCaseSettings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_settings")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("reference_code", .string, .required)
            .field("visibility", .string, .required)
            .unique(on: "organisation_id")
            .create()
        try await database.schema("case_counters")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("year", .int, .required)
            .field("last_number", .int, .required)
            .unique(on: "organisation_id", "year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_counters").delete()
        try await database.schema("case_settings").delete()
    }
}
