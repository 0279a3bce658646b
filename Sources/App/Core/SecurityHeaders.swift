import Vapor

/// Headers of point 7 on every response. It is the outermost middleware, so the error pages
/// produced inside it get them too.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "form-action 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    let https: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware renders every error; this only runs if rendering itself failed.
            response = Response(status: .internalServerError, body: .init(string: "500 — \(request.id)"))
        }
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            // `same-origin`, not `no-referrer`: with no-referrer browsers send `Origin: null` on form
            // posts, which the CSRF origin check must refuse.
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
            ("X-Request-Id", request.id),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if https {
            response.headers.replaceOrAdd(name: .strictTransportSecurity, value: "max-age=63072000; includeSubDomains")
        }
        // Static assets may be cached; anything else may carry personal data.
        if !StaticAssets.isStatic(request.url.path) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

enum StaticAssets {
    static let prefixes = ["/css/", "/img/", "/js/"]
    static func isStatic(_ path: String) -> Bool { prefixes.contains { path.hasPrefix($0) } }
}

/// Refuses what no browser sends and what a request must not be trusted for: a NUL anywhere in
/// the path (`/css/app.css%00.txt` served app.css), and — when `PASSERELLE_PUBLIC_URL` is not
/// set — a `Host` that is not a loopback name, since links (invitations, calendar feeds) and the
/// allowed form `Origin` are then built from it. `passerelle demo` answers on loopback only; a
/// real install sets its public address.
struct RequestGuardMiddleware: AsyncMiddleware {
    let publicURLConfigured: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Decoded once: a raw NUL stays one, `%00` becomes one, and a path that does not decode is refused.
        guard let path = request.url.path.removingPercentEncoding, !path.utf8.contains(0) else { throw Abort(.badRequest) }
        if !publicURLConfigured, let host = request.headers.first(name: .host), !Self.isLoopback(host: host) {
            throw Abort(.misdirectedRequest)
        }
        return try await next.respond(to: request)
    }

    /// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
    static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") {
            guard let end = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: end)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            return name[...end] == "[::1]"
        }
        if let colon = name.lastIndex(of: ":") {
            guard name[name.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            name = String(name[..<colon])
        }
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }
}
