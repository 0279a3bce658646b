import Fluent
import SQLKit

struct CreateCaseDocuments: AsyncMigration {
    var name: String { "005_CreateCaseDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_documents")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("sealed_name", .data, .required)
            .field("type", .string, .required)
            .field("size", .int, .required)
            .field("uploaded_by", .uuid)
            .field("uploaded_at", .datetime, .required)
            .field("sealed_content", .data, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "case_documents_case_idx").on("case_documents").column("case_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_documents").delete()
    }
}
