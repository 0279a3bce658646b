import Foundation
import Leaf
import LeafKit
import NIOCore
import NIOPosix
import Testing
import Vapor

@testable import App

/// `#html` writes only what Swift built escaping every value; anything else is refused.
@Suite struct SafeHTMLTests {
    struct OneTemplate: LeafSource {
        let text: String
        func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
            eventLoop.makeSucceededFuture(ByteBuffer(string: text))
        }
    }

    static func render(_ context: [String: LeafData]) async throws -> String {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let sources = LeafSources()
        try sources.register(using: OneTemplate(text: "<p>#html(value)</p>"))
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: "/"), tags: ["html": HTMLTag()], sources: sources, eventLoop: eventLoop)
        let buffer = try await renderer.render(path: "page", context: context).get()
        return String(buffer: buffer)
    }

    static func leafData<T: Encodable>(_ value: T) throws -> LeafData {
        let json = try JSONEncoder().encode(["v": value])
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        func convert(_ any: Any) -> LeafData {
            switch any {
            case let text as String: .string(text)
            case let dictionary as [String: Any]: .dictionary(dictionary.mapValues(convert))
            default: .trueNil
            }
        }
        return convert(object["v"]!)
    }

    @Test func escapedMarkupIsWrittenAsBuilt() async throws {
        let rows = SafeHTML.tableRows([[SafeHTML.Cell(text: "<script>x</script>", href: "/cases/1")]])
        let page = try await Self.render(["value": try Self.leafData(rows)])
        #expect(page.contains("&lt;script&gt;x&lt;/script&gt;"))
        #expect(!page.contains("<script>"))
    }

    @Test func aBuilderWritesItsLiteralsAsTheyAreAndEscapesEveryValue() async throws {
        let cards = DirectoryController.ResultCards(
            [DirectoryController.ResultView.mock.withName("<img src=x onerror=alert(1)>")],
            .init(
                category: "Catégorie", language: "Langue", eligibility: "Admissibilité", hoursToday: "Aujourd'hui", capacity: "Capacité",
                address: "Adresse", confidential: "Confidentielle", closed: "Fermé", full: "Complet", stale: "<à vérifier>"))
        let page = try await Self.render(["value": try Self.leafData(cards.cards)])
        #expect(cards.count == 1)
        #expect(page.contains("<li class=\"card\">"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img"))
        #expect(page.contains("<span class=\"new-mark\">&lt;à vérifier&gt;</span>"))
        #expect(page.contains("<dt>Adresse</dt><dd>Confidentielle</dd>"))
    }

    @Test func writtenOptionsGoIntoAFieldAsTheyAre() throws {
        let options = [FormOption(value: "AB", label: "Alberta & co", selected: true), FormOption(value: "QC", label: "Québec", selected: false)]
        let listed = FieldTag.field(
            id: "province", name: "province", label: "Province", hint: nil, error: nil, kind: "select", attributes: [],
            value: try Self.leafData(SafeHTML.optionList(options)))
        let encoded = FieldTag.field(
            id: "province", name: "province", label: "Province", hint: nil, error: nil, kind: "select", attributes: [],
            value: .array(options.map { .dictionary(["value": .string($0.value), "label": .string($0.label), "selected": .bool($0.selected)]) }))
        #expect(listed == encoded)
        #expect(listed.contains(#"<option value="AB" selected>Alberta &amp; co</option><option value="QC">Québec</option>"#))
    }

    @Test func aPlainStringIsRefused() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await Self.render(["value": .string("<script>alert(1)</script>")])
        }
    }
}

@Suite struct FieldTagTests {
    @Test func aFieldTiesItsLabelHintAndMessageToItsControlAndEscapesEverything() {
        // setup
        let value = LeafData.string("<b>\"Fictif\"</b>")
        // MUT
        let clean = FieldTag.field(
            id: "q", name: "q", label: "Recherche", hint: "Un indice", error: nil, kind: "text", attributes: ["maxlength=250", "required"],
            value: value)
        let wrong = FieldTag.field(
            id: "consent-kind", name: "kind", label: "Type", hint: nil, error: "Choisissez <un> type", kind: "select", attributes: [],
            blankChoice: "—", value: .array([.dictionary(["value": "share", "label": "Partage & co", "selected": true])]))
        // validate
        #expect(clean.contains(#"<label for="q">Recherche</label><p class="hint" id="q-hint">Un indice</p>"#))
        #expect(clean.contains(#"aria-describedby="q-hint""#) && !clean.contains("aria-invalid"))
        #expect(clean.contains(#"value="&lt;b&gt;&quot;Fictif&quot;&lt;/b&gt;""#))
        #expect(clean.contains(#" maxlength="250" required"#))
        #expect(wrong.contains(#"<div class="field has-error">"#))
        #expect(wrong.contains(#"<p class="field-error" id="consent-kind-error">Choisissez &lt;un&gt; type</p>"#))
        #expect(wrong.contains(#"<select id="consent-kind" name="kind" aria-describedby="consent-kind-error" aria-invalid="true">"#))
        #expect(wrong.contains(#"<option value="">—</option><option value="share" selected>Partage &amp; co</option>"#))
    }

    @Test func aPasswordIsNeverWrittenBack() {
        // MUT
        let html = FieldTag.field(
            id: "password", name: "password", label: "Mot de passe", hint: nil, error: "Trop court", kind: "password", attributes: [],
            value: .string("secret fictif"))
        // validate
        #expect(!html.contains("secret fictif"))
        #expect(html.contains(#"type="password""#))
    }
}
