import Fluent
import SQLKit

struct CreateSignInFailures: AsyncMigration {
    var name: String { "001_CreateSignInFailures" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sign_in_failures")
            .id()
            .field("scope", .string, .required)
            .field("subject", .string, .required)
            .field("at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "sign_in_failures_lookup_idx").on("sign_in_failures")
                .column("scope").column("subject").column("at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sign_in_failures").delete()
    }
}
