import Fluent

struct CreateUsers: AsyncMigration {
    var name: String { "001_CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("created_at", .datetime)
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string)
            .field("roles", .string, .required)
            .field("language", .string, .required)
            .field("totp_secret", .string)
            .field("totp_last_step", .int64)
            .field("two_factor_exempt", .bool, .required)
            .field("is_active", .bool, .required)
            .field("last_sign_in_at", .datetime)
            .field("failed_since_last_sign_in", .int, .required)
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
