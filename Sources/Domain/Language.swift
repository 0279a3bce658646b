// Interface languages and how one is chosen for a request. French and English are equal:
// nothing here prefers one over the other except the final fallback.

import Foundation

public enum Language: String, CaseIterable, Codable, Sendable {
    case fr, en

    /// BCP 47 tag used for `<html lang>` and for dates and numbers.
    public var localeIdentifier: String {
        switch self {
        case .fr: "fr-CA"
        case .en: "en-CA"
        }
    }

    /// Parses `fr`, `fr-CA`, `EN_us` and the like; nil for anything else.
    public init?(tag: String) {
        let primary =
            tag.trimmingCharacters(in: .whitespaces)
            .split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        guard let language = Language(rawValue: primary) else { return nil }
        self = language
    }

    /// Chooses from an `Accept-Language` header by quality, first listed winning ties.
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var best: (language: Language, quality: Double, index: Int)?
        for (index, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, let language = Language(tag: tag) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            if best == nil || quality > best!.quality { best = (language, quality, index) }
        }
        return best?.language
    }

    /// The order the product specification sets: explicit choice, then the signed-in user's
    /// preference, then the remembered choice, then the browser, then French (the network's
    /// founding report is in French).
    public static func resolve(query: String?, userPreference: Language?, remembered: String?, acceptLanguage: String?) -> Language {
        if let query, let language = Language(tag: query) { return language }
        if let userPreference { return userPreference }
        if let remembered, let language = Language(tag: remembered) { return language }
        return negotiate(acceptLanguage: acceptLanguage) ?? .fr
    }
}

extension Language {
    /// Which plural form a count takes (CLDR): French writes 0 and 1 in the singular ("0 dossier",
    /// "1 dossier"), English only 1 ("0 cases", "1 case"). Catalog keys end in `.one` or `.other`.
    public func pluralForm(_ count: Int) -> String {
        switch self {
        case .fr: abs(count) < 2 ? "one" : "other"
        case .en: count == 1 ? "one" : "other"
        }
    }
}
