import Domain
import Fluent
import Foundation
import Vapor

/// Importing the directory from files: the HSDS package this site exports (several CSV files
/// chosen at once) or the plain one-row-per-service CSV. A dry run first: every bad row with its
/// line, column and reason; nothing is written from a file with problems unless the coordinator
/// chooses to import only the good rows. A re-import updates listings by id.
struct DirectoryImportController: RouteCollection {
    /// Network coordinators: an import can change any listing of the network.
    static let importers = AccessPolicy.roles([.networkCoordinator])
    static let maxBytes = 20 * 1024 * 1024

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .directoryImport, access: Self.importers, use: form)
        routes.on(.POST, .directoryImport, access: Self.importers, maxBody: ByteCount(value: Self.maxBytes + 65_536), use: upload)
        routes.on(.POST, .directoryImportApply(.key), access: Self.importers, use: apply)
    }

    struct ProblemView: Encodable {
        let file: String
        let line: Int
        let column: String
        let reason: String
        let value: String
    }

    struct ImportContext: Page {
        static let template = "directory/import"

        let page: PageChrome
        let csrf: String
        let action: String
        /// After a dry run.
        let checked: Bool
        let rows: Int
        let creates: Int
        let updates: Int
        let goodRows: Int
        let problems: [ProblemView]
        let applyAction: String?
        let errors: FormErrors
    }

    struct UploadForm: Content {
        var files: [File]?
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        try await req.render(Self.context(req, errors: FormErrors()))
    }

    static func context(
        _ req: Request, errors: FormErrors, checked: Bool = false, result: DirectoryImport.Result? = nil, existing: Set<UUID> = [],
        applyAction: String? = nil
    ) -> ImportContext {
        let drafts = result?.drafts ?? []
        return ImportContext(
            page: PageChrome(req, titleKey: "directory.import.title"), csrf: req.csrfToken, action: SiteURL.directoryImport.path,
            checked: checked, rows: drafts.count, creates: drafts.filter { $0.id.map { !existing.contains($0) } ?? true }.count,
            updates: drafts.filter { $0.id.map(existing.contains) ?? false }.count, goodRows: result?.good.count ?? 0,
            problems: (result?.problems ?? []).prefix(500).map { problem in
                ProblemView(
                    file: problem.file, line: problem.line, column: problem.column, reason: req.t(problem.reason.key), value: problem.value)
            },
            applyAction: applyAction, errors: errors)
    }

    /// The files as uploaded, by name; a plain CSV is any single file not named as an HSDS table.
    static func read(_ files: [String: String], _ req: Request, on db: any Database) async throws -> (DirectoryImport.Result, Set<UUID>) {
        var result =
            files["services.csv"] != nil
            ? DirectoryImport.hsds(files, languages: Set(DirectoryController.languages))
            : DirectoryImport.plain(
                files.values.first ?? "", columns: plainColumns(req), vocabulary: vocabulary(req), fileName: files.keys.first ?? "")
        let ids = result.drafts.compactMap(\.id)
        var existing = Set<UUID>()
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            existing.formUnion(try await DirectoryService.query(on: db).filter(\.$id ~~ chunk).all().compactMap(\.id))
        }
        let organisations = Set(try await DirectoryOrganisation.query(on: db).all().compactMap(\.id))
        // A new listing needs what the directory cannot do without; an update keeps what the file leaves out.
        var extra: [DirectoryImport.Problem] = []
        for draft in result.drafts where draft.id.map({ !existing.contains($0) }) ?? true {
            func missing(_ column: String) {
                extra.append(.init(file: result.mainFile, line: draft.line, column: column, reason: .required, value: ""))
            }
            if draft.categories?.isEmpty ?? true { missing("categories") }
            // (A new row without an id is checked by the parser itself.)
            if files["services.csv"] != nil, draft.id != nil {
                if draft.province == nil { missing("state_province") }
                if (draft.city ?? "").isEmpty { missing("city") }
            }
            if let organisation = draft.organisationID, !organisations.contains(organisation), (draft.organisationName ?? "").isEmpty {
                extra.append(
                    .init(file: result.mainFile, line: draft.line, column: "organization_id", reason: .unknownService, value: organisation.uuidString)
                )
            }
            if draft.organisationID == nil, (draft.organisationName ?? "").isEmpty, files["services.csv"] == nil { missing("organisation") }
        }
        result.problems += extra
        return (result, existing)
    }

    @Sendable
    func upload(req: Request) async throws -> Response {
        let uploads = (try? req.content.decode(UploadForm.self))?.files ?? []
        var files: [String: String] = [:]
        var errors = FormErrors()
        for file in uploads where file.data.readableBytes > 0 {
            guard let text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes),
                !text.unicodeScalars.contains("\u{FFFD}")
            else {
                errors.add("files", req.t("directory.import.error.encoding", file.filename))
                continue
            }
            files[(file.filename as NSString).lastPathComponent.lowercased()] = text
        }
        if files.isEmpty, errors.isEmpty { errors.add("files", req.t("directory.import.error.none")) }
        if files.count > 1, files["services.csv"] == nil { errors.add("files", req.t("directory.import.error.package")) }
        guard errors.isEmpty else { return try await req.render(Self.context(req, errors: errors), status: .unprocessableEntity) }
        let (result, existing) = try await Self.read(files, req, on: req.db)
        let current = try req.requireUser()
        let stored = DirectoryImportUpload()
        stored.userID = current.user.id!
        stored.createdAt = req.now
        stored.files = String(decoding: try JSONEncoder().encode(files), as: UTF8.self)
        try await req.db.writeTransaction { db in
            // Uploads older than a day are dropped with each new one.
            try await DirectoryImportUpload.query(on: db).filter(\.$createdAt < req.now.addingTimeInterval(-86_400)).delete()
            try await stored.create(on: db)
        }
        let applyAction = result.good.isEmpty ? nil : SiteURL.directoryImportApply(.value(stored.id!.uuidString)).path
        return try await req.render(
            Self.context(req, errors: FormErrors(), checked: true, result: result, existing: existing, applyAction: applyAction),
            status: result.problems.isEmpty ? .ok : .unprocessableEntity)
    }

    struct ApplyForm: Content {
        var mode: String?
    }

    @Sendable
    func apply(req: Request) async throws -> Response {
        let current = try req.requireUser()
        guard let id = req.parameters.get("id", as: UUID.self),
            let stored = try await DirectoryImportUpload.query(on: req.db).filter(\.$id == id).filter(\.$userID == current.user.id!).first(),
            let files = try? JSONDecoder().decode([String: String].self, from: Data(stored.files.utf8))
        else { throw PageError.notFound }
        let (result, existing) = try await Self.read(files, req, on: req.db)
        let mode = (try? req.content.decode(ApplyForm.self))?.mode
        // Only good rows, and only when asked, from a file with problems.
        guard result.problems.isEmpty || mode == "good" else {
            var errors = FormErrors()
            errors.add("mode", req.t("directory.import.error.choose"))
            return try await req.render(
                Self.context(
                    req, errors: errors, checked: true, result: result, existing: existing,
                    applyAction: SiteURL.directoryImportApply(.value(id.uuidString)).path),
                status: .unprocessableEntity)
        }
        let drafts = result.good
        let written = try await DirectoryImportService.write(drafts, req: req, storedID: id)
        _ = written
        return req.redirect(to: SiteURL.directory.path, saved: .directoryImported)
    }

    // MARK: - What a plain file may say

    static let plainHeaderKeys: [(DirectoryImport.PlainColumn, String)] = [
        (.id, "directory.csv.id"), (.name, "directory.service.title"), (.organisation, "directory.csv.organisation"),
        (.status, "directory.csv.status"), (.category, "directory.category"), (.language, "directory.language"),
        (.eligibility, "directory.eligibility"), (.province, "directory.province"), (.city, "directory.place"), (.region, "directory.region"),
        (.address, "directory.address"), (.frontDoor, "directory.front_door"), (.phone, "directory.phone"), (.email, "directory.email"),
        (.website, "directory.website"), (.area, "directory.area"), (.available, "directory.manage.available"),
        (.maximum, "directory.manage.maximum"), (.unit, "directory.csv.unit"), (.verified, "directory.verified"),
    ]

    /// Headers in both languages (as the export writes them) and the column names themselves.
    static func plainColumns(_ req: Request) -> [String: DirectoryImport.PlainColumn] {
        let localizer = req.application.localizer
        var columns: [String: DirectoryImport.PlainColumn] = [:]
        for (column, key) in plainHeaderKeys {
            columns[DirectoryImport.fold(column.rawValue)] = column
            for language in Language.allCases { columns[DirectoryImport.fold(localizer.text(key, language, []))] = column }
        }
        return columns
    }

    static func vocabulary(_ req: Request) -> DirectoryImport.Vocabulary {
        let localizer = req.application.localizer
        func table(_ values: [(raw: String, key: String)]) -> [String: String] {
            var map: [String: String] = [:]
            for value in values {
                map[DirectoryImport.fold(value.raw)] = value.raw
                for language in Language.allCases { map[DirectoryImport.fold(localizer.text(value.key, language, []))] = value.raw }
            }
            return map
        }
        func table<E: CatalogValue>(_ type: E.Type) -> [String: String] {
            table(E.allCases.map { (raw: $0.rawValue, key: "\(E.catalogPrefix).\($0.rawValue)") })
        }
        var vocabulary = DirectoryImport.Vocabulary()
        vocabulary.statuses = table(ServiceStatus.self)
        vocabulary.categories = table(ServiceCategory.self)
        vocabulary.immigrationStatuses = table(ImmigrationStatus.allCases.map { (raw: $0.rawValue, key: $0.labelKey) })
        vocabulary.provinces = table(Province.allCases.map { (raw: $0.rawValue, key: $0.labelKey) })
        vocabulary.regions = table(RegionKind.self)
        vocabulary.units = table(CapacityUnit.self)
        for code in DirectoryController.languages {
            vocabulary.languages[code] = code
            for language in Language.allCases {
                vocabulary.languages[DirectoryImport.fold(localizer.text("directory.language.\(code)", language, []))] = code
            }
        }
        for language in Language.allCases {
            vocabulary.everyone.insert(DirectoryImport.fold(localizer.text("directory.eligibility.everyone", language, [])))
            vocabulary.confidential.insert(DirectoryImport.fold(localizer.text("directory.csv.confidential", language, [])))
        }
        return vocabulary
    }
}

/// The import's one write: every good row in one transaction, each listing's change kept in its
/// history and audited, the upload deleted.
enum DirectoryImportService {
    static func write(_ drafts: [DirectoryImport.Draft], req: Request, storedID: UUID) async throws -> Int {
        let now = req.now
        return try await req.db.writeTransaction { db in
            var organisations = Dictionary(uniqueKeysWithValues: try await DirectoryOrganisation.query(on: db).all().map { ($0.id!, $0) })
            func organisation(for draft: DirectoryImport.Draft) async throws -> DirectoryOrganisation? {
                if let id = draft.organisationID {
                    if let found = organisations[id] { return found }
                    guard let name = draft.organisationName, !name.isEmpty else { return nil }
                    let created = DirectoryOrganisation(
                        id: id, name: name, memberOrganisationID: nil, website: draft.organisationWebsite, updatedAt: now)
                    try await created.create(on: db)
                    organisations[id] = created
                    return created
                }
                guard let name = draft.organisationName, !name.isEmpty else { return nil }
                if let found = organisations.values.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) { return found }
                let created = DirectoryOrganisation(name: name, memberOrganisationID: nil, website: nil, updatedAt: now)
                try await created.create(on: db)
                organisations[created.id!] = created
                return created
            }
            var written = 0
            for draft in drafts {
                let existing: DirectoryService? = if let id = draft.id { try await DirectoryService.find(id, on: db) } else { nil }
                let owner = try await organisation(for: draft) ?? existing.flatMap { organisations[$0.organisationID] }
                guard let owner else { continue }
                let service = existing ?? DirectoryService()
                let before = existing.map(DirectoryController.editValues) ?? [:]
                if existing == nil {
                    service.id = draft.id ?? UUID()
                    service.status = ServiceStatus.active.rawValue
                    service.languages = "en,fr"
                    service.eligibleStatuses = ""
                    service.descriptionFR = ""
                    service.descriptionEN = ""
                    service.feesFR = ""
                    service.feesEN = ""
                    service.accessibilityFR = ""
                    service.accessibilityEN = ""
                    service.openingHours = OpeningHours()
                    service.phone = ""
                    service.email = ""
                    service.website = ""
                    service.region = RegionKind.urban.rawValue
                    service.address = ""
                    service.postalCode = ""
                    service.confidential = false
                    service.frontDoor = ""
                    service.serviceArea = draft.province?.rawValue ?? ""
                    service.version = 0
                }
                service.organisationID = owner.id!
                if let value = draft.nameFR { service.nameFR = value }
                if let value = draft.nameEN { service.nameEN = value }
                if let value = draft.descriptionFR { service.descriptionFR = value }
                if let value = draft.descriptionEN { service.descriptionEN = value }
                if let value = draft.status { service.status = value.rawValue }
                if let value = draft.categories { service.categories = value.map(\.rawValue).joined(separator: ",") }
                if let value = draft.languages, !value.isEmpty { service.languages = value.joined(separator: ",") }
                if let value = draft.eligible { service.eligibleStatuses = value.map(\.rawValue).joined(separator: ",") }
                if let value = draft.minimumAge { service.minimumAge = value }
                if let value = draft.maximumAge { service.maximumAge = value }
                if let value = draft.feesEN { service.feesEN = value }
                if let value = draft.email { service.email = value }
                if let value = draft.website { service.website = value }
                if let value = draft.phone { service.phone = value }
                if let value = draft.province { service.province = value.rawValue }
                if let value = draft.city { service.city = value }
                if let value = draft.region { service.region = value.rawValue }
                if let value = draft.address { service.address = value }
                if let value = draft.postalCode { service.postalCode = value }
                if let value = draft.confidential { service.confidential = value }
                if let value = draft.frontDoor { service.frontDoor = value }
                if let value = draft.area { service.serviceArea = value.stored }
                if let value = draft.hours { service.openingHours = value }
                if let capacity = draft.capacity {
                    service.capacityAvailable = capacity?.available
                    service.capacityMaximum = capacity?.maximum
                    service.capacityUnit = capacity?.unit?.rawValue ?? service.capacityUnit ?? CapacityUnit.places.rawValue
                    service.capacityUpdatedAt = now
                }
                if let value = draft.verifiedOn { service.verifiedOn = value.date }
                service.searchText = DirectoryService.searchDocument(
                    [service.nameFR, service.nameEN, service.descriptionFR, service.descriptionEN, owner.name, service.city])
                service.version += 1
                service.updatedAt = now
                try await service.save(on: db)
                let after = DirectoryController.editValues(service)
                let changes = after.keys.sorted().filter { before[$0] != after[$0] }.map { field in
                    field == "address" && service.confidential
                        ? (field: field, previous: "—", replacement: "—")
                        : (field: field, previous: before[field] ?? "", replacement: after[field] ?? "")
                }
                try await DirectoryController.record(req, service, action: existing == nil ? "imported" : "import_updated", changes: changes, on: db)
                written += 1
            }
            try await DirectoryImportUpload.query(on: db).filter(\.$id == storedID).delete()
            return written
        }
    }
}
