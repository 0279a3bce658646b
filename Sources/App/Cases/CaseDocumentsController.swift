import Domain
import Fluent
import Foundation
import Vapor

/// Supporting documents of a case: uploaded through a form, recognised by content, stripped of
/// image metadata, sealed at rest, and downloaded only through this audited route as an
/// attachment (never rendered inline, never served from Public/).
struct CaseDocumentsController: RouteCollection {
    let maxBytes: Int

    func boot(routes: any RoutesBuilder) throws {
        // The body may be twice the document limit, so an oversized file still gets its message
        // beside the field; beyond that the request is refused (413) before it is read.
        routes.on(
            .POST, .casePart(.key, .documents), access: AccessPolicy.caseWorkers,
            maxBody: ByteCount(value: maxBytes * 2 + 65_536), use: upload)
        routes.on(.GET, .caseItem(.key, .document, .key), access: AccessPolicy.caseWorkers, use: download)
    }

    struct UploadForm: Content {
        var file: File?
    }

    @Sendable
    func upload(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let file = try await CaseAccess.find(req)
        let upload = (try? req.content.decode(UploadForm.self))?.file
        var errors = FormErrors()
        guard let upload, upload.data.readableBytes > 0 else {
            errors.add("document", req.t("documents.error.empty"))
            return try await CasePage.render(req, file: file, errors: errors, status: .unprocessableEntity)
        }
        if upload.data.readableBytes > maxBytes {
            errors.add("document", req.t("documents.error.too_large", req.formatNumber(maxBytes / 1_048_576)))
        }
        let bytes = Array(upload.data.readableBytesView)
        let type = DocumentType.detect(bytes)
        if type == nil { errors.add("document", req.t("documents.error.type")) }
        let name = String(upload.filename.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        guard errors.isEmpty, let type else {
            return try await CasePage.render(req, file: file, errors: errors, status: .unprocessableEntity)
        }
        let cleaned = MetadataStripper.strip(bytes, type: type)
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let document = CaseDocument()
        document.id = UUID()
        document.caseID = file.id!
        document.sealedName = try vault.seal(name.isEmpty ? "document.\(type.fileExtension)" : name, field: .documentName(document.id!), with: opened)
        document.type = type.rawValue
        document.size = cleaned.count
        document.uploadedBy = current.user.id
        document.uploadedAt = req.now
        document.sealedContent = try vault.seal(data: Data(cleaned), field: .documentContent(document.id!), with: opened)
        try await req.db.writeTransaction { db in
            try await document.create(on: db)
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "document-added", on: db)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#documents", saved: .document)
    }

    @Sendable
    func download(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        guard let id = req.parameters.get("item", as: UUID.self),
            let document = try await CaseDocument.query(on: req.db).filter(\.$id == id).filter(\.$caseID == file.id!).first(),
            let type = DocumentType(rawValue: document.type)
        else { throw PageError.notFound }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let name = try vault.openText(document.sealedName, field: .documentName(id), with: opened)
        let content = try vault.openData(document.sealedContent, field: .documentContent(id), with: opened)
        try await CaseAccess.audit(req, .caseViewed, file, detail: "document-downloaded")
        let response = Response(status: .ok, body: .init(data: content))
        response.headers.replaceOrAdd(name: .contentType, value: type.mimeType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: Self.attachment(name, type: type))
        return response
    }

    /// `attachment` with an ASCII fallback name and the real one in RFC 5987 form.
    static func attachment(_ name: String, type: DocumentType) -> String {
        let ascii = name.folding(options: [.diacriticInsensitive], locale: nil).unicodeScalars
            .map {
                $0.isASCII && ($0.properties.isAlphabetic || CharacterSet.decimalDigits.contains($0) || "-_. ".unicodeScalars.contains($0))
                    ? Character($0) : "_"
            }
        var fallback = String(ascii).trimmingCharacters(in: .whitespaces)
        if fallback.isEmpty || fallback.allSatisfy({ $0 == "_" || $0 == "." }) { fallback = "document.\(type.fileExtension)" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
