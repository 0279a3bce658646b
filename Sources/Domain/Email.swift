import Foundation

/// E-mail addresses as account names: trimmed and lower-cased so one person cannot hold two
/// accounts that differ by case, and checked just enough to catch typing mistakes.
public enum EmailAddress {
    public static let maximumLength = 254
    static let forbidden: Set<Unicode.Scalar> = ["<", ">", "\"", ",", ";", ":", "(", ")", "[", "]", "\\", "\u{FFFD}"]

    public static func normalise(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public static func isValid(_ normalised: String) -> Bool {
        guard normalised.count <= maximumLength, !normalised.contains(where: { $0.isWhitespace }),
            // Characters that only a quoted local part allows, and that would break a mail
            // header or a list of addresses: never in an account name.
            !normalised.unicodeScalars.contains(where: { forbidden.contains($0) || $0.properties.generalCategory == .control })
        else { return false }
        let parts = normalised.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
