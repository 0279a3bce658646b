/// E-mail addresses as account names: trimmed and lower-cased so one person cannot hold two
/// accounts that differ by case, and checked just enough to catch typing mistakes.
public enum EmailAddress {
    public static let maximumLength = 254

    public static func normalise(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public static func isValid(_ normalised: String) -> Bool {
        guard normalised.count <= maximumLength, !normalised.contains(where: { $0.isWhitespace }) else { return false }
        let parts = normalised.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}

import Foundation
