import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
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
        try await db.rows(query).map { try decode($0, prefix: "") }
    }

    static func fetchFirst(_ query: SQLQueryString, on db: any Database) async throws -> Self? {
        try await db.rows(query).first.map { try decode($0, prefix: "") }
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

extension Database {
    /// The rows of a hand-written query (see `SQLDatabase.rows`).
    func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await (self as! any SQLDatabase).rows(query)
    }

    func rows<Row: Decodable>(_ query: SQLQueryString, decoding: Row.Type) async throws -> [Row] {
        try await (self as! any SQLDatabase).rows(query, decoding: Row.self)
    }

    func firstRow(_ query: SQLQueryString) async throws -> (any SQLRow)? {
        try await rows(query).first
    }
}

extension SQLDatabase {
    /// The rows of a hand-written query. On PostgreSQL the statement is prepared once per
    /// connection and executed by name afterwards: the server otherwise parses and plans the same
    /// dozen statements of every page again, a third of its time on the case page (see
    /// docs/PERFORMANCE.md). A value with no binary encoding, or a full registry, runs the query
    /// unprepared, as everything does on SQLite.
    func rows(_ query: any SQLExpression) async throws -> [any SQLRow] {
        guard let postgres = self as? any PostgresDatabase else { return try await raw("\(query)").all() }
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        guard let (bindings, types) = PreparedStatements.bindings(serializer.binds) else { return try await raw("\(query)").all() }
        let text = serializer.sql
        let slot = PreparedStatements.shared.slot(for: text, types: types)
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                guard let slot else {
                    return try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: connection.logger).collect()
                }
                return try await PreparedStatements.execute(slot, bindings, on: connection)
            }
        }.get().map { $0.sql() }
    }

    func rows<Row: Decodable>(_ query: any SQLExpression, decoding: Row.Type) async throws -> [Row] {
        try await rows(query).map { try $0.decode(model: Row.self) }
    }
}

/// Named PostgreSQL statements for queries whose text is only known at run time.
///
/// PostgresNIO prepares a statement on each connection the first time it runs there, and by name
/// afterwards (`PostgresPreparedStatement`), but it takes the statement's name, text and parameter
/// types from its type. Each distinct text and list of parameter types gets a slot here — a number,
/// and a type built from that number's binary digits (`SlotDouble<SlotDoublePlusOne<…>>`), whose
/// `name`, `sql` and `bindingDataTypes` read the slot back. The types are the values' own, as an
/// unprepared query sends them, so PostgreSQL reads the parameters the same way both times. Query
/// texts come from the code (values are bound, never written into the text), so there are a few
/// dozen; past `limit` slots, queries run unprepared.
final class PreparedStatements: Sendable {
    static let shared = PreparedStatements()
    static let limit = 500

    private struct Statement: Hashable {
        let sql: String
        let types: [PostgresDataType]
    }

    private struct Registry {
        var slots: [Statement: Int] = [:]
        var statements: [Statement] = []
        var types: [any StatementSlot.Type] = []
    }

    private let registry = NIOLockedValueBox(Registry())

    /// The slot of `sql` with parameters of `types`, taken now if it is new; nil once `limit`
    /// statements have one.
    func slot(for sql: String, types: [PostgresDataType]) -> (any StatementSlot.Type)? {
        let statement = Statement(sql: sql, types: types)
        return registry.withLockedValue { registry in
            if let slot = registry.slots[statement] { return registry.types[slot] }
            guard registry.statements.count < Self.limit else { return nil }
            let slot = registry.statements.count
            registry.slots[statement] = slot
            registry.statements.append(statement)
            registry.types.append(slotType(slot))
            return registry.types[slot]
        }
    }

    func sql(at slot: Int) -> String {
        registry.withLockedValue { $0.statements[slot].sql }
    }

    func types(at slot: Int) -> [PostgresDataType] {
        registry.withLockedValue { $0.statements[slot].types }
    }

    static func execute<Slot: StatementSlot>(_: Slot.Type, _ bindings: PostgresBindings, on connection: PostgresConnection) async throws
        -> [PostgresRow]
    {
        var rows: [PostgresRow] = []
        for try await row in try await connection.execute(SlotStatement<Slot>(bindings: bindings), logger: connection.logger) {
            rows.append(row)
        }
        return rows
    }

    /// The values in PostgreSQL's binary form and their types (unspecified for a NULL, as in an
    /// unprepared query), or nil when one has no binary form (a type only `Encodable`).
    static func bindings(_ binds: [any Encodable & Sendable]) -> (PostgresBindings, [PostgresDataType])? {
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        for bind in binds {
            if isNil(bind) {
                bindings.appendNull()
                types.append(.null)
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable, value.psqlFormat == .binary {
                do { try bindings.append(value) } catch { return nil }
                types.append(value.psqlType)
            } else {
                return nil
            }
        }
        return (bindings, types)
    }

    /// Whether `value` is an optional holding nothing.
    private static func isNil(_ value: any Encodable & Sendable) -> Bool {
        (value as? any OptionalValue)?.isNone ?? false
    }
}

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue { fileprivate var isNone: Bool { self == nil } }

protocol StatementSlot: Sendable { static var index: Int { get } }
private enum SlotZero: StatementSlot { static var index: Int { 0 } }
private enum SlotDouble<Half: StatementSlot>: StatementSlot { static var index: Int { Half.index * 2 } }
private enum SlotDoublePlusOne<Half: StatementSlot>: StatementSlot { static var index: Int { Half.index * 2 + 1 } }

func slotType(_ index: Int) -> any StatementSlot.Type {
    func double<Half: StatementSlot>(_: Half.Type, plusOne: Bool) -> any StatementSlot.Type {
        plusOne ? SlotDoublePlusOne<Half>.self : SlotDouble<Half>.self
    }
    return index == 0 ? SlotZero.self : double(slotType(index / 2), plusOne: index % 2 == 1)
}

private struct SlotStatement<Slot: StatementSlot>: PostgresPreparedStatement {
    static var name: String { "passerelle_\(Slot.index)" }
    static var sql: String { PreparedStatements.shared.sql(at: Slot.index) }
    static var bindingDataTypes: [PostgresDataType] { PreparedStatements.shared.types(at: Slot.index) }
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension SQLRow {
    /// A UUID column. SQLite keeps them as text, which SQLiteKit decoded through `Decodable` and
    /// Foundation's `UUID(uuidString:)` (an `sscanf` per value, a list's 150 of them a visible
    /// share of its time); the text is read as it is and parsed here. PostgreSQL's binary uuid
    /// reads as text too.
    func uuid(_ column: String) throws -> UUID {
        if let text = try? decode(column: column, as: String.self), let id = UUID(hexText: text) { return id }
        return try decode(column: column, as: UUID.self)
    }
}

extension UUID {
    /// The text of `uuidString` (upper case), without the `sprintf` Foundation writes it with.
    var hexText: String {
        let digits = Array("0123456789ABCDEF".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var i = 0
                for (j, byte) in bytes.enumerated() {
                    if j == 4 || j == 6 || j == 8 || j == 10 {
                        out[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    out[i] = digits[Int(byte >> 4)]
                    out[i + 1] = digits[Int(byte & 0x0F)]
                    i += 2
                }
                return 36
            }
        }
    }

    /// `8-4-4-4-12` hexadecimal digits in either case, as `UUID(uuidString:)` reads them.
    init?(hexText text: String) {
        var text = text
        let parsed = text.withUTF8 { utf8 -> uuid_t? in
            guard utf8.count == 36 else { return nil }
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
                default: nil
                }
            }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let complete = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
                var i = 0
                for j in 0..<16 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard utf8[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                    }
                    guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return false }
                    bytes[j] = high << 4 | low
                    i += 2
                }
                return true
            }
            return complete ? value : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }
}
