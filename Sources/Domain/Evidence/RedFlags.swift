import Foundation

/// Red flags across organisations: the employers and recruiters named in a case's experience
/// (and their phone numbers) written one way whoever typed them, so that a keyed hash of the
/// written form is the same in every organisation's cases. Nothing here is stored or shown: the
/// application hashes what this returns and keeps only the hash.
public enum RedFlags {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case employer, recruiter, phone
    }

    /// One name or number from a case: what kind, the form that is hashed, and the words as typed.
    public struct Entry: Hashable, Sendable {
        public let kind: Kind
        public let normalised: String
        public let written: String

        public init(kind: Kind, normalised: String, written: String) {
            self.kind = kind
            self.normalised = normalised
            self.written = written
        }

        /// What is hashed: names of employers and recruiters alike (a recruiter in one case may be
        /// the employer of another), phone numbers apart.
        public var hashInput: String { (kind == .phone ? "phone:" : "name:") + normalised }
    }

    /// Legal forms dropped from the end of a name (Canadian French and English, and a few others).
    static let legalSuffixes: Set<String> = [
        "inc", "incorporated", "incorporee", "ltd", "ltee", "limited", "limitee", "llc", "llp", "lp", "corp", "corporation", "co", "cie",
        "company", "compagnie", "enr", "senc", "sencrl", "sec", "srl", "sarl", "sa", "ulc", "plc", "gmbh",
    ]

    /// A name in lower case without accents, punctuation, parenthesised asides or legal form:
    /// "Ferme Imaginaire inc. (fictive)" and "FERME IMAGINAIRE" are both "ferme imaginaire". Nil
    /// when nothing that identifies is left.
    public static func normaliseName(_ text: String) -> String? {
        var plain = ""
        var depth = 0
        var initials: [Bool] = []
        for character in text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_CA")) {
            switch character {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            default:
                guard depth == 0 else { continue }
                if character == "œ" {
                    plain += "oe"
                } else if character == "æ" {
                    plain += "ae"
                } else if character == "ß" {
                    plain += "ss"
                } else {
                    plain.append(character.isLetter || character.isNumber ? character : " ")
                }
            }
        }
        // Initials written with dots or spaces ("S.E.N.C.", "A B C") are one word.
        var words: [String] = []
        for word in plain.lowercased().split(separator: " ").map(String.init) {
            if word.count == 1, let last = words.last, last.count >= 1, last.allSatisfy(\.isLetter), word.allSatisfy(\.isLetter),
                initials.last == true
            {
                words[words.count - 1] = last + word
            } else {
                words.append(word)
            }
            initials.append(word.count == 1)
        }
        var dropped = false
        while words.count > 1, let last = words.last, legalSuffixes.contains(last) || (dropped && ["et", "and"].contains(last)) {
            words.removeLast()
            dropped = true
        }
        let name = words.joined(separator: " ")
        return name.count >= 2 && name.contains(where: \.isLetter) ? name : nil
    }

    /// A phone number in E.164: ten North American digits gain +1, eleven starting with 1 gain +,
    /// a number written with + keeps its 8 to 15 digits. Nil for anything else.
    public static func normalisePhone(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter(\.isASCII).filter(\.isNumber)
        if trimmed.hasPrefix("+") { return (8...15).contains(digits.count) ? "+" + digits : nil }
        if digits.count == 10, let first = digits.first, first != "0", first != "1" { return "+1" + digits }
        if digits.count == 11, digits.hasPrefix("1"), digits.dropFirst().first.map({ $0 != "0" && $0 != "1" }) == true { return "+" + digits }
        return nil
    }

    /// Every name and number of a case's employers and recruiters, one per line (or separated by
    /// semicolons); a number written in a line is taken out of its name.
    public static func entries(employers: String, recruiters: String) -> [Entry] {
        var entries: [Entry] = []
        for (kind, text) in [(Kind.employer, employers), (.recruiter, recruiters)] {
            for line in text.split(whereSeparator: { $0.isNewline || $0 == ";" }) {
                var name = String(line)
                for match in line.matches(of: /\+?\(?\d[\d ().\-]{6,}\d/) {
                    let written = String(line[match.range])
                    if let phone = normalisePhone(written) {
                        entries.append(Entry(kind: .phone, normalised: phone, written: written.trimmingCharacters(in: .whitespaces)))
                        name = name.replacingOccurrences(of: written, with: " ")
                    }
                }
                if let normalised = normaliseName(name) {
                    entries.append(Entry(kind: kind, normalised: normalised, written: name.trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
        }
        var seen = Set<String>()
        return entries.filter { seen.insert($0.hashInput).inserted }
    }
}
