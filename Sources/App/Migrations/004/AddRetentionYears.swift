import Fluent

struct AddRetentionYears: AsyncMigration {
    var name: String { "004_AddRetentionYears" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_settings").field("retention_years", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_settings").deleteField("retention_years").update()
    }
}
