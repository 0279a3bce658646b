import Fluent

struct CreateOrganisations: AsyncMigration {
    var name: String { "001_CreateOrganisations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("created_at", .datetime)
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("provinces", .string, .required)
            .field("languages", .string, .required)
            .field("is_active", .bool, .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organisations").delete()
    }
}
