import SQLKit

/// A trigger that runs statements for each row written to a table, on SQLite and PostgreSQL
/// alike: on SQLite one trigger per event (`<name>_insert`, `_update`, `_delete`); on PostgreSQL
/// one function (`function`) and one trigger (`name`) for all of them. Statements read the row as
/// `NEW` (insert, update) or `OLD` (update, delete). Migrations create these, so a trigger that
/// exists in a database is never redefined here: a change is a new trigger in a new migration.
struct RowTrigger: Sendable {
    let name: String
    let function: String
    let table: String
    var onInsert: [SQLQueryString] = []
    var onUpdate: [SQLQueryString] = []
    /// On PostgreSQL and SQLite alike, the update trigger fires only when this column changes.
    var updateOf: String? = nil
    var onDelete: [SQLQueryString] = []

    private var events: [(event: String, statements: [SQLQueryString])] {
        [("INSERT", onInsert), ("UPDATE", onUpdate), ("DELETE", onDelete)].filter { !$0.statements.isEmpty }
    }

    private static func joined(_ statements: [SQLQueryString]) -> SQLQueryString {
        var query: SQLQueryString = ""
        for statement in statements { query += statement + "; " }
        return query
    }

    private func clause(_ event: String) -> String {
        event == "UPDATE" ? "UPDATE" + (updateOf.map { " OF " + $0 } ?? "") : event
    }

    func create(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for (event, statements) in events {
                try await sql.raw(
                    """
                    CREATE TRIGGER \(unsafeRaw: name)_\(unsafeRaw: event.lowercased()) AFTER \(unsafeRaw: clause(event)) ON \(unsafeRaw: table)
                    BEGIN \(Self.joined(statements))END
                    """
                ).run()
            }
        } else {
            var body: SQLQueryString = ""
            for (event, statements) in events {
                body += "IF TG_OP = '\(unsafeRaw: event)' THEN " + Self.joined(statements) + "END IF;\n"
            }
            try await sql.raw(
                """
                CREATE FUNCTION \(unsafeRaw: function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                \(body)RETURN NULL;
                END $$
                """
            ).run()
            let clauses = events.map { clause($0.event) }.joined(separator: " OR ")
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: name) AFTER \(unsafeRaw: clauses) ON \(unsafeRaw: table)
                FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: function)()
                """
            ).run()
        }
    }

    func drop(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "update", "delete"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)_\(unsafeRaw: event)").run()
            }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table)").run()
            try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: function)()").run()
        }
    }
}
