import Domain
import Foundation
import Leaf
import Testing
import Vapor

@testable import App

@Suite struct LocalizationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func localizer() throws -> Localizer {
        try Localizer.load(directory: Self.root.appendingPathComponent("Resources/Localization").path)
    }

    @Test func bothCatalogsHaveTheSameKeysAndNoEmptyText() throws {
        let catalogs = try localizer().catalogs
        let french = Set(catalogs[.fr]!.keys)
        let english = Set(catalogs[.en]!.keys)
        #expect(french.subtracting(english).isEmpty, "missing in English: \(french.subtracting(english).sorted())")
        #expect(english.subtracting(french).isEmpty, "missing in French: \(english.subtracting(french).sorted())")
        for language in Language.allCases {
            #expect(catalogs[language]!.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        }
    }

    @Test func everyKeyUsedByATemplateExists() throws {
        let localizer = try localizer()
        let views = Self.root.appendingPathComponent("Resources/Views")
        let enumerator = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!
        var used: [String: String] = [:]
        var templates = 0
        for case let url as URL in enumerator where url.pathExtension == "leaf" {
            templates += 1
            let text = try String(contentsOf: url, encoding: .utf8)
            let regex = try Regex(#"#t\("([^"]+)""#)
            for match in text.matches(of: regex) {
                if let key = match.output[1].substring { used[String(key), default: url.lastPathComponent] = url.lastPathComponent }
            }
            // Plurals need both forms.
            for match in text.matches(of: /#tp\("([^"]+)"/) {
                for form in ["one", "other"] { used["\(match.output.1).\(form)"] = url.lastPathComponent }
            }
            // A field's label, hint and empty choice are catalog keys too.
            for match in text.matches(of: /#field\(([^)]*)\)/) {
                // id, label key, errors, value, "kind attributes", hint key
                let parameters = match.output.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                func literal(_ index: Int) -> String? {
                    guard index < parameters.count, parameters[index].hasPrefix("\""), parameters[index].count > 2 else { return nil }
                    return String(parameters[index].dropFirst().dropLast())
                }
                for key in [literal(1), literal(5)].compactMap({ $0 }) { used[key] = url.lastPathComponent }
                for blank in (literal(4) ?? "").matches(of: /blank=([a-z0-9_.]+)/) { used[String(blank.output.1)] = url.lastPathComponent }
            }
        }
        #expect(templates >= 15)
        for (key, file) in used {
            for language in Language.allCases {
                #expect(localizer.has(key, in: language), "\(file) uses '\(key)', missing in \(language)")
            }
        }
    }

    /// Keys built in code from enums: every case must have its text in both languages.
    @Test func everyKeyBuiltFromCodeExists() throws {
        let localizer = try localizer()
        var keys: [String] = []
        keys += Role.allCases.flatMap { [$0.labelKey, $0.capabilitiesKey] }
        keys += OrganisationType.allCases.map(\.labelKey)
        keys += Province.allCases.map(\.labelKey)
        keys += AuditAction.allCases.map(\.labelKey)
        keys += ["success", "failure", "denied"].map { "audit.outcome.\($0)" }
        // Lists read from the code itself, so a new case or status cannot be forgotten here.
        keys += PageErrorMiddleware.knownStatuses.flatMap { ["error.\($0).title", "error.\($0).message"] }
        keys += ["error.503.late", "case.error.stale"]
        keys += PageError.allCases.map(\.messageKey)
        keys += PasswordPolicy.Problem.allCases.map(\.rawValue)
        keys += CatalogValueLists.all.flatMap { $0.allLabelKeys }
        keys += CaseStatus.allCases.map(\.labelKey) + ClosureReason.allCases.map(\.labelKey) + CaseVisibility.allCases.map(\.labelKey)
        keys += ApplicationState.allCases.map(\.labelKey) + ApplicationEvent.allCases.map(\.labelKey)
        keys += SafeContactChannel.allCases.map(\.labelKey) + ImmigrationStatus.allCases.map(\.labelKey)
        keys += IndigenousIdentity.allCases.map(\.labelKey) + AgeBand.allCases.map(\.labelKey)
        keys += CaseRules.Problem.allCases.map(\.rawValue)
        keys += SavedNotice.allCases.map(\.key) + HistoryPhrase.keys
        keys += Language.allCases.flatMap { ["language.\($0.rawValue)", "language.switch_to.\($0.rawValue)"] }
        keys += ["nav.home", "nav.organisations", "nav.users", "nav.audit", "nav.account"]
        for key in keys {
            for language in Language.allCases {
                #expect(localizer.has(key, in: language), "'\(key)' missing in \(language)")
            }
        }
    }

    /// Keys passed to `req.t(...)` in Swift sources exist too.
    @Test func everyKeyUsedInSwiftSourcesExists() throws {
        let localizer = try localizer()
        let sources = Self.root.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        let regex = try Regex(#"\.t\("([a-z0-9_.]+)""#)
        var count = 0
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /\.tp\("([a-z0-9_.]+)"/) {
                for form in ["one", "other"] {
                    for language in Language.allCases {
                        #expect(localizer.has("\(match.output.1).\(form)", in: language), "\(url.lastPathComponent) uses '\(match.output.1)'")
                    }
                }
            }
            for match in text.matches(of: regex) {
                guard let key = match.output[1].substring else { continue }
                count += 1
                for language in Language.allCases {
                    #expect(localizer.has(String(key), in: language), "\(url.lastPathComponent) uses '\(key)', missing in \(language)")
                }
            }
        }
        #expect(count > 20)
    }

    @Test func placeholdersAreFilled() throws {
        let localizer = try localizer()
        #expect(localizer.text("home.welcome", .fr, ["Camille"]) == "Bonjour, Camille")
        #expect(localizer.text("home.welcome", .en, ["Camille"]) == "Hello, Camille")
    }

    /// Each `{n}` of the catalog's text takes its argument in one pass: an argument that holds a
    /// placeholder stays as typed; placeholders out of range, braces without a number and
    /// two-byte text stay as they are.
    @Test(arguments: [
        ("{0} et {1}", ["{1}", "b"], "{1} et b"),
        ("{1} avant {0}", ["x", "y"], "y avant x"),
        ("{0}{0}", ["é"], "éé"),
        ("{2} {} {a} {0", ["z"], "{2} {} {a} {0"),
        ("日本 {0} 語", ["漢字"], "日本 漢字 語"),
        ("{10}", Array(repeating: "-", count: 10) + ["dix"], "dix"),
        ("rien", [], "rien"),
    ])
    func fillPutsEachArgumentInItsPlaceOnce(template: String, arguments: [String], expected: String) {
        #expect(Localizer.fill(template, arguments) == expected)
    }

    @Test func htmlEscapeMatchesLeaf() {
        for text in [
            "", "plain", "Tran Thị Ánh", "Adébáyọ̀ Ọlábísí", "نور الهدى", "<script>alert('x')</script>",
            "Tom & \"Jerry\" > 'Spike'", "emoji 👩🏽‍⚕️ & <b>", "&amp; already",
        ] {
            #expect(HTML.escape(text) == text.htmlEscaped(), "\(text)")
        }
    }

    @Test func translationsAreEscapedWithTheirArguments() throws {
        let localizer = try localizer()
        #expect(localizer.escapedText("home.welcome", .en, ["<b>Camille & co</b>"]) == "Hello, &lt;b&gt;Camille &amp; co&lt;/b&gt;")
        for language in Language.allCases {
            for (key, text) in localizer.catalogs[language]! {
                #expect(localizer.escapedText(key, language) == text.htmlEscaped())
            }
        }
    }

    @Test func templatesInALanguageCarryTheirFixedTextsAndKeepTheRest() throws {
        let localizer = Localizer(catalogs: [
            .fr: ["a.b": "L'été <b>", "c": "C", "hash": "voir #note", "digit": "n° #1"],
            .en: ["a.b": "Summer", "c": "C", "hash": "see #note", "digit": "No. #1"],
        ])
        func localize(_ template: String, _ language: Language = .fr) -> String {
            LocalizedTemplates.localize(template, in: language, with: localizer)
        }
        #expect(localize(#"#extend("base"):<p>#t("a.b")</p>#endextend"#) == #"#extend("fr/base"):<p>L&#39;été &lt;b&gt;</p>#endextend"#)
        #expect(localize(##"<p title="#t("a.b")">#t("c")</p>"##, .en) == ##"<p title="Summer">C</p>"##)
        #expect(localize(#"#if(x):#t("c")#else:#t("a.b")#endif"#) == #"#if(x):C#else:L&#39;été &lt;b&gt;#endif"#)
        #expect(localize(#"<p>#t("digit")</p>"#) == "<p>n° #1</p>")
        // Left to the tag: arguments, keys from the context, missing keys, texts with markup of
        // LeafKit's own, text glued to a tag name before it or followed by a colon.
        for kept in [#"#t("a.b", n)"#, "#t(row.labelKey)", #"#t("no.such")"#, #"#t("hash")"#, #"#endif#t("c")"#, #"#t("c"):"#] {
            #expect(localize(kept) == kept)
        }
    }

    @Test func tableRowsEscapeEveryCellAndLink() {
        let rows = SafeHTML.tableRows([[.init(text: "Ọlá <b>&", href: "/cases/1?a=\"x\""), .init(text: "l'été")]])
        #expect(rows.markup == "<tr><td><a href=\"/cases/1?a=&quot;x&quot;\">Ọlá &lt;b&gt;&amp;</a></td><td>l&#39;été</td></tr>\n")
    }
}
