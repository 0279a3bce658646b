/// Amounts of money as a person in Canada writes them, in French or in English, read exactly or
/// not at all: `1 234,56`, `1,234.56`, `1234.56`, `1234,56`, `1234`, with or without `$`. Anything
/// that two readers could take for two different amounts (`1,234`, `12.345`, `1,2,3`), more than
/// two decimals, signs, exponents or trailing characters (`0x10`) is refused, never guessed.
public enum Amount {
    /// Largest amount accepted, in dollars (exclusive).
    public static let limitDollars = 100_000_000

    /// The amount in cents, or nil when the text is not one unambiguous amount.
    public static func cents(_ text: String) -> Int? {
        // Spaces of every kind people and keyboards produce are group separators.
        var value = String(text.unicodeScalars.map { [" ", "\u{00A0}", "\u{202F}", "\u{2009}"].contains($0) ? " " : Character($0) })
        value = trimmed(value)
        if value.hasPrefix("$") { value.removeFirst() } else if value.hasSuffix("$") { value.removeLast() }
        value = trimmed(value)
        guard !value.isEmpty, value.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == " " || $0 == "," || $0 == "." }) else { return nil }
        let dots = value.filter { $0 == "." }.count, commas = value.filter { $0 == "," }.count
        var integer: String
        var fraction = ""
        // The decimal separator: the one mark followed by one or two digits at the end.
        func split(at mark: Character) -> (String, String)? {
            guard let index = value.lastIndex(of: mark) else { return nil }
            let after = String(value[value.index(after: index)...])
            guard (1...2).contains(after.count) else { return nil }
            return (String(value[..<index]), after)
        }
        if dots == 0 && commas == 0 {
            integer = value
        } else if dots == 1 && commas == 0, let (i, f) = split(at: ".") {
            (integer, fraction) = (i, f)
        } else if commas == 1 && dots == 0, let (i, f) = split(at: ",") {
            (integer, fraction) = (i, f)
        } else if dots == 1, commas >= 1, let (i, f) = split(at: ".") {
            // en-CA: commas group thousands before a decimal point.
            guard groupedThousands(i, separator: ",") else { return nil }
            (integer, fraction) = (i.replacingOccurrences(of: ",", with: ""), f)
        } else if dots == 0, commas >= 2 {
            // 1,234,567: two or more groups of three cannot be decimals.
            guard groupedThousands(value, separator: ",") else { return nil }
            integer = value.replacingOccurrences(of: ",", with: "")
        } else {
            return nil
        }
        if integer.contains(" ") {
            guard groupedThousands(integer, separator: " ") else { return nil }
            integer = integer.replacingOccurrences(of: " ", with: "")
        }
        guard !integer.isEmpty, integer.count <= 9, integer.allSatisfy(\.isASCII), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
            let dollars = Int(integer), dollars < limitDollars
        else { return nil }
        let centsPart = fraction.isEmpty ? 0 : Int(fraction.count == 1 ? fraction + "0" : fraction)!
        return dollars * 100 + centsPart
    }

    /// `1 234`, `12,345,678`: a first group of one to three digits, then groups of exactly three.
    static func groupedThousands(_ text: String, separator: Character) -> Bool {
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        guard groups.count >= 2, let first = groups.first, (1...3).contains(first.count) else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isNumber) } && groups.dropFirst().allSatisfy { $0.count == 3 }
    }

    private static func trimmed(_ text: String) -> String {
        var value = Substring(text)
        while value.first == " " { value.removeFirst() }
        while value.last == " " { value.removeLast() }
        return String(value)
    }
}

/// What every text field refuses whatever its length: bytes that were not UTF-8 (decoded as
/// U+FFFD), and on single-line fields any control character (a bare CR among them, which splits
/// lines in calendars, mail headers and CSV).
public enum TextInput {
    public enum Problem: Equatable, Sendable {
        case unreadable
        case controlCharacter
        case tooLong(Int)
    }

    public static func problem(_ text: String, limit: Int, singleLine: Bool) -> Problem? {
        if text.unicodeScalars.contains("\u{FFFD}") { return .unreadable }
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .lineSeparator || category == .paragraphSeparator {
                if singleLine || !["\n", "\r", "\t"].contains(scalar) { return .controlCharacter }
            }
        }
        if text.count > limit { return .tooLong(limit) }
        return nil
    }
}
