import Fluent
import SQLKit

/// Fluent models read with a hand-written SQL statement.
///
/// Fluent's query builder serialises every column name through SQLKit's identifier quoting (a
/// regex-based string replacement on Linux) and goes through its query pipeline: on the case page,
/// with its dozen small queries, that was a quarter of the CPU. The hot paths (sessions, the
/// signed-in user, the case page's panels) write their SQL by hand and decode the same models —
/// still marked as coming from the database, so a later `save` updates them.
extension Model {
    static func fetch(_ query: SQLQueryString, on db: any Database) async throws -> [Self] {
        try await (db as! any SQLDatabase).raw(query).all().map { try decode($0, prefix: "") }
    }

    static func fetchFirst(_ query: SQLQueryString, on db: any Database) async throws -> Self? {
        try await (db as! any SQLDatabase).raw(query).first().map { try decode($0, prefix: "") }
    }

    /// `table.key AS prefixkey, …` for every column of the model: for a second model in one row.
    static func prefixedColumns(table: String, prefix: String) -> String {
        Self().properties.compactMap { $0 as? any AnyDatabaseProperty }.flatMap(\.keys)
            .map { "\(table).\($0.description) AS \(prefix)\($0.description)" }.joined(separator: ", ")
    }

    /// The model whose columns carry `prefix` in `row` (see `prefixedColumns`), or no prefix.
    static func decode(_ row: any SQLRow, prefix: String) throws -> Self {
        let model = Self()
        try model.output(from: PrefixedRow(row: row, prefix: prefix))
        return model
    }
}

private struct PrefixedRow: DatabaseOutput {
    let row: any SQLRow
    let prefix: String
    var description: String { "\(prefix)* of \(row)" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: prefix + key.description) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: prefix + key.description) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: prefix + key.description, as: T.self) }
}
