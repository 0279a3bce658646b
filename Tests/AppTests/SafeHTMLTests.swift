import Foundation
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

    @Test func aPlainStringIsRefused() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await Self.render(["value": .string("<script>alert(1)</script>")])
        }
    }
}
