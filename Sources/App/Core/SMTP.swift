import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where outgoing mail goes: an SMTP server (STARTTLS and credentials as configured), or, by
/// default on the embedded install, one `.eml` file per message in the data folder's `outbox/`.
public struct MailSettings: Sendable {
    public var host: String?
    public var port: Int = 587
    public var startTLS: Bool = true
    public var username: String?
    public var password: String?
    public var from: String = "passerelle@localhost"

    public init() {}

    public static func fromEnvironment() -> MailSettings {
        let env = ProcessInfo.processInfo.environment
        var settings = MailSettings()
        settings.host = env["PASSERELLE_SMTP_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        settings.port = env["PASSERELLE_SMTP_PORT"].flatMap(Int.init) ?? 587
        settings.startTLS = !["0", "false", "no", "off"].contains((env["PASSERELLE_SMTP_STARTTLS"] ?? "true").lowercased())
        settings.username = env["PASSERELLE_SMTP_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        settings.password = env["PASSERELLE_SMTP_PASSWORD"]
        settings.from = env["PASSERELLE_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "passerelle@localhost"
        return settings
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS, AUTH PLAIN, one message.
struct SMTPClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let settings: MailSettings
    let group: any EventLoopGroup

    /// Reassembles replies (multi-line ones end with "NNN ") and hands them over in order.
    final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<String>.Continuation
        private var pending = ""
        private var lines: [String] = []

        init(continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                lines.append(line)
                let characters = Array(line)
                if characters.count < 4 || characters[3] == " " {
                    continuation.yield(lines.joined(separator: "\n"))
                    lines = []
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) { continuation.finish() }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    func send(to recipient: String, message: String) async throws {
        guard let host = settings.host else { throw Failure(description: "no SMTP host configured") }
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let handler = ReplyHandler(continuation: continuation)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) } }
            .connect(host: host, port: settings.port).get()
        var replies = stream.makeAsyncIterator()
        func expect(_ codes: Set<String>, after command: String?) async throws {
            if let command {
                try await channel.writeAndFlush(ByteBuffer(string: command + "\r\n")).get()
            }
            guard let reply = await replies.next() else { throw Failure(description: "SMTP server closed the connection") }
            guard codes.contains(String(reply.prefix(3))) else {
                throw Failure(description: "SMTP server answered \(reply.prefix(200)) to \(command?.split(separator: " ").first ?? "greeting")")
            }
        }
        do {
            let name = "passerelle.localhost"
            try await expect(["220"], after: nil)
            try await expect(["250"], after: "EHLO \(name)")
            if settings.startTLS {
                try await expect(["220"], after: "STARTTLS")
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                // The handler is not Sendable: made and added on the channel's event loop.
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: host), position: .first)
                }.get()
                try await expect(["250"], after: "EHLO \(name)")
            }
            if let username = settings.username {
                let token = Data("\u{0}\(username)\u{0}\(settings.password ?? "")".utf8).base64EncodedString()
                try await expect(["235"], after: "AUTH PLAIN \(token)")
            }
            try await expect(["250"], after: "MAIL FROM:<\(settings.from)>")
            try await expect(["250", "251"], after: "RCPT TO:<\(recipient)>")
            try await expect(["354"], after: "DATA")
            // Dot-stuffing (RFC 5321 §4.5.2), then the end-of-data line.
            let body = message.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            try await expect(["250"], after: (body.hasPrefix(".") ? "." + body : body) + (body.hasSuffix("\r\n") ? "" : "\r\n") + ".")
            try? await expect(["221"], after: "QUIT")
        } catch {
            try? await channel.close().get()
            throw error
        }
        try? await channel.close().get()
    }
}
