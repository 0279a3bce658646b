import Fluent

/// A directory file uploaded for a dry run, kept until the coordinator imports it (or a day
/// passes), so "import" does not ask for the files again. Directory data only, no case data.
struct CreateDirectoryImports: AsyncMigration {
    var name: String { "017_CreateDirectoryImports" }

    func prepare(on database: any Database) async throws {
        try await database.schema("directory_imports")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("files", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("directory_imports").delete()
    }
}
