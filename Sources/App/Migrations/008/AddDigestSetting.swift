import Fluent
import SQLKit

struct AddDigestSetting: AsyncMigration {
    var name: String { "008_AddDigestSetting" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("digest_enabled", .bool, .required, .sql(.default(true))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("digest_enabled").update()
    }
}
