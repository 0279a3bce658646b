import Domain
import Foundation
import Leaf
import Vapor

/// The two catalogs, loaded once at start from `Resources/Localization/<lang>.json` (flat
/// key → text). Placeholders are `{0}`, `{1}`… so word order can differ between languages.
struct Localizer: Sendable {
    let catalogs: [Language: [String: String]]

    static func load(directory: String) throws -> Localizer {
        var catalogs: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let path = (directory as NSString).appendingPathComponent("\(language.rawValue).json")
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            catalogs[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return Localizer(catalogs: catalogs)
    }

    func has(_ key: String, in language: Language) -> Bool { catalogs[language]?[key] != nil }

    /// A missing key shows itself (and the catalog test fails) rather than crashing a page.
    func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        var text = catalogs[language]?[key] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }
}

struct LocalizerKey: StorageKey { typealias Value = Localizer }
struct LanguageKey: StorageKey { typealias Value = Language }

extension Application {
    var localizer: Localizer {
        get { storage[LocalizerKey.self]! }
        set { storage[LocalizerKey.self] = newValue }
    }
}

extension Request {
    /// The page language: `?lang=`, then the signed-in user's preference, then the remembered
    /// choice (cookie), then `Accept-Language`.
    var language: Language {
        if let language = storage[LanguageKey.self] { return language }
        let language = Language.resolve(
            query: try? query.get(String.self, at: "lang"),
            userPreference: currentUser?.user.preferredLanguage,
            remembered: cookies["lang"]?.string,
            acceptLanguage: headers.first(name: .acceptLanguage))
        storage[LanguageKey.self] = language
        return language
    }

    func t(_ key: String, _ arguments: String...) -> String {
        application.localizer.text(key, language, arguments)
    }

    func formatDateTime(_ date: Date?) -> String? {
        guard let date else { return nil }
        var style = Date.FormatStyle(date: .long, time: .shortened)
        style.locale = Locale(identifier: language.localeIdentifier)
        style.timeZone = config.timeZone
        return date.formatted(style)
    }

    func formatDate(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted)
        style.locale = Locale(identifier: language.localeIdentifier)
        style.timeZone = config.timeZone
        return date.formatted(style)
    }

    func formatNumber(_ number: Int) -> String {
        number.formatted(IntegerFormatStyle<Int>(locale: Locale(identifier: language.localeIdentifier)))
    }
}

/// `#t("key")` or `#t("key", argument, …)` in templates. Output is escaped like `#(…)`.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw "#t needs a catalog key as its first parameter"
        }
        guard let request = ctx.request else { return .string(key) }
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(request.application.localizer.text(key, request.language, Array(arguments)))
    }
}
