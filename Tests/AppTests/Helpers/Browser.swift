import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

/// A tiny browser over the in-memory tester: keeps cookies, remembers the last page's CSRF
/// token, and posts forms the way a real one does.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]
    var acceptLanguage: String?
    private(set) var lastBody = ""

    init(_ app: Application, acceptLanguage: String? = nil) {
        self.app = app
        self.acceptLanguage = acceptLanguage
    }

    var csrf: String? { Self.csrf(in: lastBody) }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        let match = html[range]
        return match.components(separatedBy: "value=\"")[1].replacingOccurrences(of: "\"", with: "")
    }

    @discardableResult
    func get(_ path: String, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: extra, body: nil)
    }

    /// Posts a form; the page's CSRF token is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: Bool = true, headers extra: HTTPHeaders = [:]) async throws
        -> TestingHTTPResponse
    {
        var fields = fields
        if csrf, let token = self.csrf { fields.append(("_csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = extra
        headers.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func send(_ method: HTTPMethod, _ path: String, headers extra: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = extra
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0") {
                cookies[parts[0]] = nil
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
        let text = response.body.string
        if response.headers.first(name: .contentType)?.contains("text/html") == true { lastBody = text }
        return response
    }

    /// Signs in with the password and, for exempt accounts, lands on the home page.
    @discardableResult
    func signIn(_ email: String, password: String = Fixtures.password) async throws -> TestingHTTPResponse {
        try await get(SiteURL.login.path)
        return try await post(SiteURL.login.path, [("email", email), ("password", password)])
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
    var text: String { body.string }
}
