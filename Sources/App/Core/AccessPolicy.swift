import Domain
import Vapor

/// Who may use a route. Every route is registered with one (see `RoutesBuilder.on(_:_:access:…)`),
/// and `RouteAccessTests` fails on any route without one.
enum AccessPolicy: Sendable, CustomStringConvertible {
    /// Anyone, signed in or not.
    case `public`
    /// Someone whose password was accepted and who must now give a two-factor code.
    case secondFactorPending
    /// Any fully signed-in person, whatever their roles.
    case signedIn
    /// A fully signed-in person holding at least one of these roles.
    case roles(Set<Role>)
    /// Loopback clients, or any client with the metrics bearer token.
    case metrics

    var description: String {
        switch self {
        case .public: "public"
        case .secondFactorPending: "second-factor-pending"
        case .signedIn: "signed-in"
        case .roles(let roles): "roles(" + roles.sorted().map(\.rawValue).joined(separator: ",") + ")"
        case .metrics: "metrics"
        }
    }

    static let userInfoKey = AnySendableHashable("passerelle.access")
    static let maxBodyKey = AnySendableHashable("passerelle.maxBody")
}

extension RoutesBuilder {
    /// The only way Passerelle registers a route: the policy is both recorded on the route (for
    /// the route-walking test) and enforced by the middleware wrapped around that route alone,
    /// so the two cannot drift apart.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ url: SiteURL, access: AccessPolicy, maxBody: ByteCount? = nil,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(method, url.pathComponents, access: access, maxBody: maxBody, use: handler)
    }

    /// A route outside the site's map (tests' probes).
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: String, access: AccessPolicy, maxBody: ByteCount? = nil,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(method, path.pathComponents, access: access, maxBody: maxBody, use: handler)
    }

    private func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], access: AccessPolicy, maxBody: ByteCount?,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let route = grouped(AccessMiddleware(policy: access, maxBody: maxBody))
            .on(method, path, body: .collect(maxSize: maxBody), use: handler)
        route.userInfo[AccessPolicy.userInfoKey] = access
        return route
    }
}

/// Enforces a route's policy, and for every state-changing request the CSRF check first.
struct AccessMiddleware: AsyncMiddleware {
    let policy: AccessPolicy
    let maxBody: ByteCount?

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The in-memory test server and some clients hand over a body already collected; the
        // limit must hold for them too.
        let limit = maxBody?.value ?? request.application.routes.defaultMaxBodySize.value
        if let body = request.body.data, body.readableBytes > limit { throw Abort(.payloadTooLarge) }
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            try await CSRF.verify(request, maxBody: maxBody)
            FormBody.markUnreadableBytes(request)
        }
        switch policy {
        case .public:
            break
        case .secondFactorPending:
            guard request.pendingUser != nil else { return request.redirect(to: SiteURL.login.path) }
        case .signedIn:
            guard request.currentUser != nil else { return signInFirst(request) }
        case .roles(let roles):
            guard let user = request.currentUser else { return signInFirst(request) }
            guard user.hasAny(roles) else { throw PageError.forbidden }
        case .metrics:
            let loopback =
                ["127.0.0.1", "::1"].contains(request.remoteAddress?.ipAddress ?? "")
                && request.headers.first(name: .xForwardedFor) == nil
            let token = request.config.metricsToken
            let bearer = request.headers.bearerAuthorization?.token
            let tokenOK = token != nil && bearer != nil && Secrets.constantTimeEqual(token!, bearer!)
            guard loopback || tokenOK else { throw PageError.notFound }
        }
        return try await next.respond(to: request)
    }

    /// To the sign-in page, which sends the person back to the page they asked for (a GET of
    /// this site's own path; a form posted without a session is not replayed).
    private func signInFirst(_ request: Request) -> Response {
        var login = URLComponents()
        login.path = SiteURL.login.path
        if request.method == .GET, request.url.path != SiteURL.home.path,
            let asked = ReturnPath.validated(request.url.string, refusing: AuthController.noReturnPaths)
        {
            login.queryItems = [URLQueryItem(name: "next", value: asked)]
        }
        return request.redirect(to: login.string ?? SiteURL.login.path, redirectType: .normal)
    }
}

/// A form value whose bytes are not UTF-8 (raw or percent-encoded) would be decoded as U+FFFD or
/// dropped, so the person saw either "�" saved or "this field is required" on a field they had
/// filled. Such a value is rewritten as valid UTF-8 with U+FFFD in place of the bad bytes, which
/// every text check refuses with its own message beside the field (`field.unreadable`).
enum FormBody {
    static func markUnreadableBytes(_ request: Request) {
        guard request.headers.contentType == .urlEncodedForm, let body = request.body.data,
            let rewritten = rewritten(Array(body.readableBytesView))
        else { return }
        try? request.content.encode(Unit(), using: RawBody(bytes: rewritten))
    }

    /// The body with every unreadable name or value re-encoded, or nil when all are readable.
    static func rewritten(_ bytes: [UInt8]) -> [UInt8]? {
        var changed = false
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (index, pair) in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let decoded = parts.map { percentDecoded(Array($0)) }
            if decoded.allSatisfy({ String(validating: $0, as: UTF8.self) != nil }), pair.allSatisfy({ $0 < 0x80 }) {
                out.append(contentsOf: pair)
                continue
            }
            changed = true
            for (position, part) in decoded.enumerated() {
                if position > 0 { out.append(UInt8(ascii: "=")) }
                out.append(contentsOf: percentEncoded(String(decoding: part, as: UTF8.self)))
            }
        }
        return changed ? out : nil
    }

    /// The name and value of each field of a url-encoded body, in order.
    static func pairs(_ bytes: [UInt8]) -> [(String, String)] {
        bytes.split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                .map { String(decoding: percentDecoded(Array($0)), as: UTF8.self) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return out
    }

    static func percentEncoded(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(contentsOf: Array(String(format: "%%%02X", byte).utf8))
            }
        }
        return out
    }

    private struct Unit: Encodable {}

    private struct RawBody: ContentEncoder {
        let bytes: [UInt8]
        func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
            body.writeBytes(bytes)
            headers.contentType = .urlEncodedForm
        }
    }
}
