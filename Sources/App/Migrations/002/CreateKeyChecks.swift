import Fluent

struct CreateKeyChecks: AsyncMigration {
    var name: String { "002_CreateKeyChecks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("key_checks").id().field("sealed", .data, .required).create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("key_checks").delete()
    }
}
