import Foundation

/// OWASP ASVS 5.0 level 2 password rules (V6.2): at least 12 characters, at least 64 allowed
/// (we allow 128), every character allowed and kept exactly as typed, no composition rules,
/// refused when it is a commonly used password.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    public static let maximumLength = 128

    public enum Problem: String, Sendable, Equatable, CaseIterable {
        case tooShort = "password.too_short"
        case tooLong = "password.too_long"
        case common = "password.common"
        case containsEmail = "password.contains_email"
        case mismatch = "password.mismatch"
    }

    private let commonPasswords: Set<String>

    /// - Parameter commonPasswords: the bundled breach list; compared case-insensitively.
    public init(commonPasswords: Set<String>) {
        self.commonPasswords = Set(commonPasswords.map { $0.lowercased() })
    }

    /// Parses the bundled list: one password per line, `#` comments.
    public static func parseList(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    /// Length counts characters as a person sees them (grapheme clusters), not bytes, so a
    /// French or Vietnamese passphrase is measured the way its owner counts it.
    public func problems(password: String, confirmation: String? = nil, email: String? = nil) -> [Problem] {
        var problems: [Problem] = []
        let length = password.count
        if length < Self.minimumLength { problems.append(.tooShort) }
        if length > Self.maximumLength { problems.append(.tooLong) }
        if commonPasswords.contains(password.lowercased()) { problems.append(.common) }
        if let email, let local = email.split(separator: "@").first, local.count >= 4,
            password.lowercased().contains(local.lowercased())
        {
            problems.append(.containsEmail)
        }
        if let confirmation, confirmation != password { problems.append(.mismatch) }
        return problems
    }
}
