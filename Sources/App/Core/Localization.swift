import Domain
import Foundation
import Leaf
import NIOConcurrencyHelpers
import Vapor

/// The two catalogs, loaded once at start from `Resources/Localization/<lang>.json` (flat
/// key → text). Placeholders are `{0}`, `{1}`… so word order can differ between languages.
struct Localizer: Sendable {
    let catalogs: [Language: [String: String]]
    /// The same texts escaped for HTML once, for `#t` (a page has a hundred of them).
    let escapedCatalogs: [Language: [String: String]]

    init(catalogs: [Language: [String: String]]) {
        self.catalogs = catalogs
        self.escapedCatalogs = catalogs.mapValues { $0.mapValues(HTML.escape) }
    }

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
        Self.fill(catalogs[language]?[key] ?? key, arguments)
    }

    /// `text` escaped for HTML, arguments included.
    func escapedText(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        Self.fill(escapedCatalogs[language]?[key] ?? HTML.escape(key), arguments.map(HTML.escape))
    }

    /// The form of `key` for `count` (`key.one` or `key.other`, `Language.pluralForm`), `{0}` the
    /// count written in the language and further arguments from `{1}`.
    func plural(_ key: String, _ count: Int, _ language: Language, _ arguments: [String] = [], escaped: Bool = false) -> String {
        let counted = count.formatted(IntegerFormatStyle<Int>(locale: Locale(identifier: language.localeIdentifier)))
        let form = key + "." + language.pluralForm(count)
        return escaped ? escapedText(form, language, [counted] + arguments) : text(form, language, [counted] + arguments)
    }

    /// Puts each argument in place of its `{n}`, in one pass over the catalog's text: an argument
    /// that itself holds a `{1}` (something a person typed) stays as typed. Foundation's
    /// `replacingOccurrences` went through NSString on Linux and cost a tenth of a list page.
    static func fill(_ text: String, _ arguments: [String]) -> String {
        guard !arguments.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + arguments.reduce(0) { $0 + $1.utf8.count })
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{") {
                var j = i + 1
                var index = 0
                while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9"), j - i <= 3 {
                    index = index * 10 + Int(bytes[j] - UInt8(ascii: "0"))
                    j += 1
                }
                if j > i + 1, j < bytes.count, bytes[j] == UInt8(ascii: "}"), index < arguments.count {
                    out.append(contentsOf: arguments[index].utf8)
                    i = j + 1
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum HTML {
    /// The characters LeafKit escapes in `#(…)`, the same way; a text without any is returned as
    /// it is (LeafKit rebuilds every string scalar by scalar).
    static func escape(_ text: String) -> String {
        var text = text
        guard text.withUTF8({ $0.contains(where: isSpecial) }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        escape(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isSpecial(_ byte: UInt8) -> Bool { byte == 0x26 || byte == 0x22 || byte == 0x27 || byte == 0x3C || byte == 0x3E }

    /// `text` escaped at the end of `bytes`, for a page part written in one buffer.
    static func escape(_ text: String, into bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where isSpecial(byte) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                switch byte {
                case 0x26: bytes.append(contentsOf: "&amp;".utf8)
                case 0x22: bytes.append(contentsOf: "&quot;".utf8)
                case 0x27: bytes.append(contentsOf: "&#39;".utf8)
                case 0x3C: bytes.append(contentsOf: "&lt;".utf8)
                default: bytes.append(contentsOf: "&gt;".utf8)
                }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }
}

struct LocalizerKey: StorageKey { typealias Value = Localizer }
/// What writes a page's words: a request, or its `RequestWords` taken once for a loop.
protocol Translating {
    var language: Language { get }
    func t(_ key: String, _ arguments: String...) -> String
    func tp(_ key: String, _ count: Int, _ arguments: String...) -> String
}

/// The request's language with the catalogs, kept together under one key: Vapor copies a
/// request's whole storage under a lock on each read, and every `req.t` read two keys (the
/// language, then the application's catalogs) — a few hundred reads on a list page. A list
/// takes them once (`req.words`) and writes its rows' words with them.
struct RequestWords: Sendable, Translating {
    let language: Language
    let localizer: Localizer

    func t(_ key: String, _ arguments: String...) -> String { localizer.text(key, language, arguments) }
    func tp(_ key: String, _ count: Int, _ arguments: String...) -> String { localizer.plural(key, count, language, arguments) }
}

extension Request: Translating {}

private struct RequestWordsKey: StorageKey { typealias Value = RequestWords }

extension Application {
    var localizer: Localizer {
        get { storage[LocalizerKey.self]! }
        set { storage[LocalizerKey.self] = newValue }
    }
}

extension Request {
    /// The page language: `?lang=`, then the signed-in user's preference, then the remembered
    /// choice (cookie), then `Accept-Language`.
    var language: Language { words.language }

    var words: RequestWords {
        if let words = storage[RequestWordsKey.self] { return words }
        let language = Language.resolve(
            // The query is parsed again on each `get`: only when it may hold a `lang`.
            query: url.query?.contains("lang") == true ? try? query.get(String.self, at: "lang") : nil,
            userPreference: currentUser?.user.preferredLanguage,
            remembered: cookies["lang"]?.string,
            acceptLanguage: headers.first(name: .acceptLanguage))
        let words = RequestWords(language: language, localizer: application.localizer)
        storage[RequestWordsKey.self] = words
        return words
    }

    /// The language of the rest of this request (a choice just saved, a letter's language).
    func setLanguage(_ language: Language) {
        storage[RequestWordsKey.self] = RequestWords(language: language, localizer: application.localizer)
    }

    func t(_ key: String, _ arguments: String...) -> String {
        let words = words
        return words.localizer.text(key, words.language, arguments)
    }

    /// A text with a count: `tp("cases.count", 3)` reads `cases.count.other`, "3 dossiers".
    func tp(_ key: String, _ count: Int, _ arguments: String...) -> String {
        let words = words
        return words.localizer.plural(key, count, words.language, arguments)
    }

    /// "3 décembre 2026 à 13 h 05" (the Office québécois de la langue française's form, which
    /// Foundation's fr-CA "13:05" is not) or "December 3, 2026 at 1:05 p.m.".
    func formatDateTime(_ date: Date?, in language: Language? = nil) -> String? {
        date.map(dateTimeFormat(in: language))
    }

    /// The same, as a function made once for a list's many dates: the catalogs, the zone and
    /// the style are looked up once instead of for every row (three storage lookups a date). The
    /// day's long date and (in English) the clock's text come from `DateTexts`, ICU formatting
    /// each once per day and per minute of the day rather than once per row (a sixth of the inbox).
    func dateTimeFormat(in language: Language? = nil) -> @Sendable (Date) -> String {
        let language = language ?? self.language
        let timeZone = config.timeZone
        let locale = Locale(identifier: language.localeIdentifier)
        let day = Date.FormatStyle(date: .long, time: .omitted, locale: locale, timeZone: timeZone)
        let time = Date.FormatStyle(date: .omitted, time: .shortened, locale: locale, timeZone: timeZone)
        let localizer = application.localizer
        let zone = timeZone.identifier
        return { date in
            // The local day and minute from the zone's offset at that instant: a calendar set to
            // the zone was made (and its ICU calendar opened) on every call.
            let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
            let dayNumber = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            let minutes = (local - dayNumber * 86_400) / 60
            let dayText = DateTexts.shared.text(.init(language: language, zone: zone, day: dayNumber, minute: nil)) { day.format(date) }
            let clock: String
            if language == .fr {
                let minute = minutes % 60
                clock = localizer.text("format.time", language, [String(minutes / 60), (minute < 10 ? "0" : "") + String(minute)])
            } else {
                clock = DateTexts.shared.text(.init(language: language, zone: zone, day: nil, minute: minutes)) { time.format(date) }
            }
            return localizer.text("format.date_at_time", language, [dayText, clock])
        }
    }

    func formatDate(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted)
        style.locale = Locale(identifier: language.localeIdentifier)
        style.timeZone = config.timeZone
        return date.formatted(style)
    }

    /// A calendar day (a date without a time, as tasks and permits have) in the reader's language.
    func formatDay(_ day: Day) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted)
        style.locale = Locale(identifier: language.localeIdentifier)
        style.timeZone = TimeZone(identifier: "UTC")!
        return day.date.formatted(style)
    }

    func formatNumber(_ number: Int) -> String {
        number.formatted(IntegerFormatStyle<Int>(locale: Locale(identifier: language.localeIdentifier)))
    }
}

/// `#t("key")` or `#t("key", argument, …)` in templates. Output is escaped like `#(…)`.
///
/// It escapes its own output (hence "unescaped" for LeafKit): the catalogs are escaped once at
/// load, the arguments at each use.
struct TranslateTag: UnsafeUnescapedLeafTag {
    /// The catalogs, given at registration: reading them from the application's storage on each
    /// call took a lock and a generic lookup per text.
    let localizer: Localizer

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw "#t needs a catalog key as its first parameter"
        }
        guard let request = ctx.request else { return .string(HTML.escape(key)) }
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(localizer.escapedText(key, request.language, Array(arguments)))
    }
}

/// `#tp("key", count, argument…)`: the plural form of `key` for `count` (`Localizer.plural`),
/// escaped like `#t`.
struct TranslatePluralTag: UnsafeUnescapedLeafTag {
    let localizer: Localizer

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count >= 2, let key = ctx.parameters[0].string, let count = ctx.parameters[1].int else {
            throw "#tp needs a catalog key and a count"
        }
        guard let request = ctx.request else { return .string(HTML.escape(key)) }
        let arguments = ctx.parameters.dropFirst(2).map { $0.string ?? "" }
        return .string(localizer.plural(key, count, request.language, Array(arguments), escaped: true))
    }
}

/// `#options(list)`: the `<option>` elements of a `[FormOption]`, value, label and selection
/// escaped like `#(…)`. Written once here instead of a Leaf loop in thirty templates (and
/// rendered without LeafKit's per-element interpretation: a case page has over a hundred).
struct OptionsTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let options = ctx.parameters[0].array else {
            throw "#options needs one list of options"
        }
        return .string(
            SafeHTML.options(
                options.map { option in
                    let fields = option.dictionary ?? [:]
                    return FormOption(
                        value: fields["value"]?.string ?? "", label: fields["label"]?.string ?? "", selected: fields["selected"]?.bool == true)
                }))
    }
}

/// `#html(x)`: a `SafeHTML` of the context, written as it is (it was escaped when built).
struct HTMLTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let markup = ctx.parameters[0].dictionary?[SafeHTML.marker]?.string else {
            throw "#html needs one SafeHTML"
        }
        return .string(markup)
    }
}

/// Texts of days and of clock times, made by ICU once and kept for the process: a list of 75
/// dates asked ICU 75 times for what is mostly a handful of days. A day's text depends only on
/// the language, the zone and the local day; a clock's on the language and the minute of the
/// day. Bounded: emptied when it holds more than 50,000 texts (a century of days).
final class DateTexts: Sendable {
    struct Key: Hashable, Sendable {
        let language: Language
        let zone: String
        let day: Int?
        let minute: Int?
    }

    static let shared = DateTexts()
    private let texts = NIOLockedValueBox<[Key: String]>([:])

    func text(_ key: Key, make: () -> String) -> String {
        if let text = texts.withLockedValue({ $0[key] }) { return text }
        let text = make()
        texts.withLockedValue { texts in
            if texts.count > 50_000 { texts.removeAll(keepingCapacity: true) }
            texts[key] = text
        }
        return text
    }
}
