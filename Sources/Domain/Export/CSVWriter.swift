/// The one CSV writer of every export (RFC 4180, CRLF between rows), safe from spreadsheet
/// formulas (OWASP CSV injection). It works on Unicode scalars, never on Characters: `"\r\n"` is
/// one Character in Swift, equal to neither `"\r"` nor `"\n"`, and a test on Characters let a
/// cell holding CRLF through unquoted, splitting the row and starting a live formula.
public enum CSVWriter {
    /// Scalars that start a formula in Excel, LibreOffice or Sheets when they lead a cell.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\n", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]
    static let needsQuotes: Set<Unicode.Scalar> = [",", "\"", "\n", "\r", ";"]

    public static func cell(_ text: String) -> String {
        var value = text
        // A formula can hide behind leading spaces: look at the first scalar that is not one.
        if let first = value.unicodeScalars.first(where: { $0 != " " }), formulaStarts.contains(first) { value = "'" + value }
        if value.unicodeScalars.contains(where: { needsQuotes.contains($0) }) || value.hasPrefix(" ") || value.hasSuffix(" ") {
            value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    public static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",")
    }

    /// Rows joined by CRLF, ending with one, with a byte-order mark so spreadsheets read UTF-8.
    public static func document(_ rows: [[String]], byteOrderMark: Bool = true) -> String {
        (byteOrderMark ? "\u{FEFF}" : "") + rows.map(row).joined(separator: "\r\n") + "\r\n"
    }
}
