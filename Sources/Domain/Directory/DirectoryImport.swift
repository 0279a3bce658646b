import CSV
import Foundation

/// Reading a directory from files: the HSDS Tabular Data Package this site exports (one CSV per
/// object, HSDS field names) or the plain one-row-per-service CSV (headers and values as a person
/// reads them, in French or in English). Every row is checked; each problem names its file, its
/// line (as a spreadsheet numbers it: the header is line 1), its column and why. Nothing here
/// writes: the App shows the dry run, then writes the good rows if asked.
public enum DirectoryImport {
    /// Why a cell was refused (each a catalog key `directory.import.reason.<raw>`).
    public enum Reason: String, Sendable, CaseIterable {
        case required, unknownValue = "unknown_value", notANumber = "not_a_number", badEmail = "bad_email", badID = "bad_id",
            badDate = "bad_date", tooLong = "too_long", unknownService = "unknown_service", duplicateID = "duplicate_id",
            missingColumn = "missing_column", unknownColumn = "unknown_column", unreadable, badHours = "bad_hours"

        public var key: String { "directory.import.reason.\(rawValue)" }
    }

    public struct Problem: Sendable, Equatable {
        public let file: String
        public let line: Int
        public let column: String
        public let reason: Reason
        public let value: String

        public init(file: String, line: Int, column: String, reason: Reason, value: String) {
            self.file = file
            self.line = line
            self.column = column
            self.reason = reason
            self.value = value
        }
    }

    /// One listing as a file describes it. A nil field was not in the file: an update keeps what
    /// the listing holds (a confidential address, never exported, is not blanked by a re-import).
    public struct Draft: Sendable, Equatable {
        public var line: Int
        public var id: UUID?
        public var organisationID: UUID?
        public var organisationName: String?
        public var organisationWebsite: String?
        public var nameFR: String?
        public var nameEN: String?
        public var descriptionFR: String?
        public var descriptionEN: String?
        public var status: ServiceStatus?
        public var categories: [ServiceCategory]?
        public var languages: [String]?
        public var eligible: [ImmigrationStatus]?
        public var minimumAge: Int??
        public var maximumAge: Int??
        public var feesEN: String?
        public var email: String?
        public var website: String?
        public var phone: String?
        public var province: Province?
        public var city: String?
        public var region: RegionKind?
        public var address: String?
        public var postalCode: String?
        public var confidential: Bool?
        public var frontDoor: String?
        public var area: ServiceArea?
        public var hours: OpeningHours?
        public var capacity: (available: Int, maximum: Int, unit: CapacityUnit?)??
        public var verifiedOn: Day?

        public init(line: Int) { self.line = line }

        public static func == (a: Draft, b: Draft) -> Bool {
            a.line == b.line && a.id == b.id && a.nameFR == b.nameFR && a.nameEN == b.nameEN && a.status == b.status
                && a.province == b.province && a.city == b.city
        }
    }

    public struct Result: Sendable {
        public var drafts: [Draft] = []
        public var problems: [Problem] = []
        /// Lines (of the services' file) with at least one problem: left out of a "good rows only" import.
        public var badLines: Set<Int> { Set(problems.filter { $0.file == mainFile }.map(\.line)) }
        public var mainFile = ""
        public var good: [Draft] { drafts.filter { !badLines.contains($0.line) } }
    }

    public static let textLimit = 2000
    public static let maximumRows = 50_000

    /// Rows of a CSV text as dictionaries by header, with their line numbers; nil when unreadable.
    static func table(_ text: String) -> (header: [String], rows: [(line: Int, cells: [String: String])])? {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard let reader = try? CSVReader(string: body, hasHeaderRow: true), let header = reader.headerRow else { return nil }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [(Int, [String: String])] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var cells: [String: String] = [:]
            for (index, name) in names.enumerated() where index < row.count {
                cells[name] = row[index].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            rows.append((line, cells))
            if rows.count > maximumRows { break }
        }
        if reader.error != nil { return nil }
        return (names, rows)
    }

    /// The HSDS package: `files` by name (`services.csv`, `organizations.csv`…). `services.csv` is required.
    public static func hsds(_ files: [String: String], languages allowed: Set<String>) -> Result {
        var result = Result()
        result.mainFile = "services.csv"
        func problem(_ file: String, _ line: Int, _ column: String, _ reason: Reason, _ value: String = "") {
            result.problems.append(Problem(file: file, line: line, column: column, reason: reason, value: String(value.prefix(80))))
        }
        guard let servicesText = files["services.csv"] else {
            problem("services.csv", 0, "", .missingColumn)
            return result
        }
        var tables: [String: [(line: Int, cells: [String: String])]] = [:]
        for (name, text) in files {
            guard let table = table(text) else {
                problem(name, 0, "", .unreadable)
                continue
            }
            let required = HSDSFields.tables[name.replacingOccurrences(of: ".csv", with: "")] ?? []
            for column in required where !table.header.contains(column) && HSDSFields.requiredColumns.contains(column) {
                problem(name, 1, column, .missingColumn)
            }
            tables[name] = table.rows
        }
        _ = servicesText
        let organisations = Dictionary(
            (tables["organizations.csv"] ?? []).compactMap { row in
                UUID(uuidString: row.cells["id"] ?? "").map { ($0, row.cells) }
            }, uniquingKeysWith: { a, _ in a })
        var seen = Set<UUID>()
        var byService: [UUID: Int] = [:]
        for row in tables["services.csv"] ?? [] {
            var draft = Draft(line: row.line)
            let cells = row.cells
            func text(_ column: String, required: Bool = false) -> String? {
                guard let value = cells[column] else { return nil }
                if required, value.isEmpty { problem("services.csv", row.line, column, .required) }
                if TextInput.problem(value, limit: textLimit, singleLine: false) != nil { problem("services.csv", row.line, column, .tooLong, value) }
                return value
            }
            if let raw = cells["id"], !raw.isEmpty {
                if let id = UUID(uuidString: raw) {
                    if !seen.insert(id).inserted { problem("services.csv", row.line, "id", .duplicateID, raw) }
                    draft.id = id
                    byService[id] = result.drafts.count
                } else {
                    problem("services.csv", row.line, "id", .badID, raw)
                }
            }
            if let raw = cells["organization_id"], !raw.isEmpty {
                if let id = UUID(uuidString: raw) {
                    draft.organisationID = id
                    draft.organisationName = organisations[id]?["name"]
                    draft.organisationWebsite = organisations[id]?["website"]
                } else {
                    problem("services.csv", row.line, "organization_id", .badID, raw)
                }
            } else {
                problem("services.csv", row.line, "organization_id", .required)
            }
            draft.nameFR = text("name_fr", required: true) ?? text("name", required: true)
            draft.nameEN = text("name_en", required: true) ?? text("name", required: true)
            draft.descriptionFR = text("description_fr") ?? text("description")
            draft.descriptionEN = text("description_en") ?? text("description")
            draft.email = text("email")
            if let email = draft.email, !email.isEmpty, !EmailAddress.isValid(EmailAddress.normalise(email)) {
                problem("services.csv", row.line, "email", .badEmail, email)
            }
            draft.website = text("url")
            draft.feesEN = text("fees_description")
            if let raw = cells["status"] {
                draft.status = ServiceStatus(hsds: raw)
                if draft.status == nil { problem("services.csv", row.line, "status", .unknownValue, raw) }
            }
            if let raw = cells["categories"] {
                let values = list(raw).map { ServiceCategory(rawValue: $0) }
                if values.contains(where: { $0 == nil }) { problem("services.csv", row.line, "categories", .unknownValue, raw) }
                if values.isEmpty { problem("services.csv", row.line, "categories", .required) }
                draft.categories = values.compactMap { $0 }
            }
            if let raw = cells["eligible_immigration_statuses"] {
                let values = list(raw).map { ImmigrationStatus(rawValue: $0) }
                if values.contains(where: { $0 == nil }) { problem("services.csv", row.line, "eligible_immigration_statuses", .unknownValue, raw) }
                draft.eligible = values.compactMap { $0 }
            }
            for (column, keyPath) in [("minimum_age", \Draft.minimumAge), ("maximum_age", \Draft.maximumAge)] {
                guard let raw = cells[column] else { continue }
                if raw.isEmpty {
                    draft[keyPath: keyPath] = .some(nil)
                } else if let value = Int(raw), (0...120).contains(value) {
                    draft[keyPath: keyPath] = .some(value)
                } else {
                    problem("services.csv", row.line, column, .notANumber, raw)
                }
            }
            if let raw = cells["assured_date"], !raw.isEmpty {
                if let day = Day(raw) { draft.verifiedOn = day } else { problem("services.csv", row.line, "assured_date", .badDate, raw) }
            }
            result.drafts.append(draft)
        }
        /// A row of a table that refers to a service: its draft's index, or a problem.
        func owner(_ file: String, _ row: (line: Int, cells: [String: String]), column: String = "service_id") -> Int? {
            let raw = row.cells[column] ?? ""
            guard let id = UUID(uuidString: raw), let index = byService[id] else {
                problem(file, row.line, column, .unknownService, raw)
                return nil
            }
            return index
        }
        // Locations and addresses hang off a service through service_at_locations.
        var locationOwner: [String: Int] = [:]
        for row in tables["service_at_locations.csv"] ?? [] {
            guard let index = owner("service_at_locations.csv", row), let location = row.cells["location_id"]?.lowercased() else { continue }
            locationOwner[location] = index
        }
        for row in tables["locations.csv"] ?? [] {
            guard let index = locationOwner[(row.cells["id"] ?? "").lowercased()] else {
                problem("locations.csv", row.line, "id", .unknownService, row.cells["id"] ?? "")
                continue
            }
            result.drafts[index].city = row.cells["name"]
            if let raw = row.cells["region"], !raw.isEmpty {
                if let region = RegionKind(rawValue: raw) {
                    result.drafts[index].region = region
                } else {
                    problem("locations.csv", row.line, "region", .unknownValue, raw)
                }
            }
            if let raw = row.cells["confidential"] {
                guard let flag = ["true": true, "false": false, "": false][raw.lowercased()] else {
                    problem("locations.csv", row.line, "confidential", .unknownValue, raw)
                    continue
                }
                result.drafts[index].confidential = flag
                result.drafts[index].frontDoor = row.cells["front_door"] ?? ""
                if flag, (row.cells["front_door"] ?? "").isEmpty { problem("locations.csv", row.line, "front_door", .required) }
            }
        }
        for row in tables["addresses.csv"] ?? [] {
            guard let index = locationOwner[(row.cells["location_id"] ?? "").lowercased()] else {
                problem("addresses.csv", row.line, "location_id", .unknownService, row.cells["location_id"] ?? "")
                continue
            }
            result.drafts[index].address = row.cells["address_1"] ?? ""
            result.drafts[index].postalCode = row.cells["postal_code"] ?? ""
            if let city = row.cells["city"], !city.isEmpty { result.drafts[index].city = city }
            if let raw = row.cells["state_province"] {
                if let province = Province(rawValue: raw.uppercased()) {
                    result.drafts[index].province = province
                } else {
                    problem("addresses.csv", row.line, "state_province", .unknownValue, raw)
                }
            }
        }
        for row in tables["phones.csv"] ?? [] {
            guard let index = owner("phones.csv", row) else { continue }
            result.drafts[index].phone = row.cells["number"] ?? ""
        }
        var languages: [Int: [String]] = [:]
        for row in tables["languages.csv"] ?? [] {
            guard let index = owner("languages.csv", row) else { continue }
            let code = (row.cells["code"] ?? "").lowercased()
            if allowed.contains(code) {
                languages[index, default: []].append(code)
            } else {
                problem("languages.csv", row.line, "code", .unknownValue, code)
            }
        }
        for (index, codes) in languages { result.drafts[index].languages = Array(Set(codes)).sorted() }
        for row in tables["service_areas.csv"] ?? [] {
            guard let index = owner("service_areas.csv", row) else { continue }
            let raw = row.cells["name"] ?? ""
            let area: ServiceArea? =
                switch raw {
                case "CA": .allCanada
                case "remote": .remoteOnly
                default: ServiceArea(stored: raw.split(separator: " ").joined(separator: ","))
                }
            if let area { result.drafts[index].area = area } else { problem("service_areas.csv", row.line, "name", .unknownValue, raw) }
        }
        for row in tables["schedules.csv"] ?? [] {
            guard let index = owner("schedules.csv", row) else { continue }
            let day = Weekday.allCases.first { $0.rawValue.prefix(2).uppercased() == (row.cells["byday"] ?? "").uppercased() }
            guard let day, let opens = OpeningHours.minutes(row.cells["opens_at"] ?? ""),
                var closes = OpeningHours.minutes(row.cells["closes_at"] ?? "")
            else {
                problem(
                    "schedules.csv", row.line, "byday", .badHours,
                    [row.cells["byday"], row.cells["opens_at"], row.cells["closes_at"]].compactMap { $0 }.joined(separator: " "))
                continue
            }
            if closes == 1439 { closes = 1440 }
            var hours = result.drafts[index].hours ?? OpeningHours()
            hours.days[day] = .init(opens: opens, closes: closes)
            result.drafts[index].hours = hours
        }
        for row in tables["service_capacity.csv"] ?? [] {
            guard let index = owner("service_capacity.csv", row) else { continue }
            guard let available = Int(row.cells["available"] ?? ""), let maximum = Int(row.cells["maximum"] ?? ""), available >= 0,
                maximum >= available
            else {
                problem("service_capacity.csv", row.line, "available", .notANumber, "\(row.cells["available"] ?? "") / \(row.cells["maximum"] ?? "")")
                continue
            }
            let unit = CapacityUnit(rawValue: row.cells["unit"] ?? "")
            result.drafts[index].capacity = .some((available, maximum, unit))
        }
        // A new listing needs what the directory cannot do without.
        for (index, draft) in result.drafts.enumerated() where draft.id == nil {
            if draft.province == nil { problem("services.csv", draft.line, "state_province", .required) }
            if (draft.city ?? "").isEmpty { problem("services.csv", draft.line, "city", .required) }
            _ = index
        }
        return result
    }

    /// The plain CSV. `columns` maps a header as written (folded) to its column; `vocabulary`
    /// maps each list's labels in both languages (folded) and its codes to the stored value.
    public static func plain(_ text: String, columns: [String: PlainColumn], vocabulary: Vocabulary, fileName: String) -> Result {
        var result = Result()
        result.mainFile = fileName
        func problem(_ line: Int, _ column: String, _ reason: Reason, _ value: String = "") {
            result.problems.append(Problem(file: fileName, line: line, column: column, reason: reason, value: String(value.prefix(80))))
        }
        guard let table = table(text) else {
            problem(0, "", .unreadable)
            return result
        }
        var headerOf: [PlainColumn: String] = [:]
        for header in table.header {
            if let column = columns[fold(header)] { headerOf[column] = header } else { problem(1, header, .unknownColumn) }
        }
        for column in [PlainColumn.name, .province, .city] where headerOf[column] == nil { problem(1, column.rawValue, .missingColumn) }
        guard !result.problems.contains(where: { $0.reason == .missingColumn }) else { return result }
        var seen = Set<UUID>()
        for row in table.rows {
            var draft = Draft(line: row.line)
            func cell(_ column: PlainColumn) -> String? { headerOf[column].flatMap { row.cells[$0] } }
            func named(_ column: PlainColumn) -> String { headerOf[column] ?? column.rawValue }
            func text(_ column: PlainColumn, required: Bool = false) -> String? {
                guard let value = cell(column) else { return nil }
                if required, value.isEmpty { problem(row.line, named(column), .required) }
                if TextInput.problem(value, limit: textLimit, singleLine: false) != nil { problem(row.line, named(column), .tooLong, value) }
                return value
            }
            func lookup(_ column: PlainColumn, _ table: [String: String]) -> [String]? {
                guard let raw = cell(column) else { return nil }
                let parts = raw.split(whereSeparator: { $0 == "," || $0 == ";" }).map { fold(String($0)) }.filter { !$0.isEmpty }
                let values = parts.map { table[$0] }
                if values.contains(where: { $0 == nil }) { problem(row.line, named(column), .unknownValue, raw) }
                return values.compactMap { $0 }
            }
            if let raw = cell(.id), !raw.isEmpty {
                if let id = UUID(uuidString: raw) {
                    if !seen.insert(id).inserted { problem(row.line, named(.id), .duplicateID, raw) }
                    draft.id = id
                } else {
                    problem(row.line, named(.id), .badID, raw)
                }
            }
            let name = text(.name, required: true)
            draft.nameFR = name
            draft.nameEN = name
            draft.organisationName = text(.organisation)
            if let raw = cell(.status), !raw.isEmpty {
                draft.status = (vocabulary.statuses[fold(raw)]).flatMap(ServiceStatus.init(rawValue:))
                if draft.status == nil { problem(row.line, named(.status), .unknownValue, raw) }
            }
            draft.categories = lookup(.category, vocabulary.categories)?.compactMap(ServiceCategory.init(rawValue:))
            if draft.categories?.isEmpty == true, cell(.category)?.isEmpty == true { problem(row.line, named(.category), .required) }
            draft.languages = lookup(.language, vocabulary.languages)
            if let raw = cell(.eligibility) {
                draft.eligible =
                    vocabulary.everyone.contains(fold(raw)) || raw.isEmpty
                    ? [] : lookup(.eligibility, vocabulary.immigrationStatuses)?.compactMap(ImmigrationStatus.init(rawValue:))
            }
            if let raw = cell(.province) {
                draft.province = vocabulary.provinces[fold(raw)].flatMap(Province.init(rawValue:))
                if draft.province == nil { problem(row.line, named(.province), raw.isEmpty ? .required : .unknownValue, raw) }
            }
            draft.city = text(.city, required: true)
            if let raw = cell(.region), !raw.isEmpty {
                draft.region = vocabulary.regions[fold(raw)].flatMap(RegionKind.init(rawValue:))
                if draft.region == nil { problem(row.line, named(.region), .unknownValue, raw) }
            }
            if let raw = cell(.address), !vocabulary.confidential.contains(fold(raw)) { draft.address = text(.address) }
            if let frontDoor = text(.frontDoor) {
                draft.frontDoor = frontDoor
                draft.confidential = !frontDoor.isEmpty || vocabulary.confidential.contains(fold(cell(.address) ?? ""))
            }
            draft.phone = text(.phone)
            draft.email = text(.email)
            if let email = draft.email, !email.isEmpty, !EmailAddress.isValid(EmailAddress.normalise(email)) {
                problem(row.line, named(.email), .badEmail, email)
            }
            draft.website = text(.website)
            if let raw = cell(.area), !raw.isEmpty {
                draft.area = ServiceArea(stored: raw.replacingOccurrences(of: " ", with: ""))
                if draft.area == nil { problem(row.line, named(.area), .unknownValue, raw) }
            }
            let available = cell(.available) ?? "", maximum = cell(.maximum) ?? ""
            if !available.isEmpty || !maximum.isEmpty {
                if let a = Int(available), let m = Int(maximum), a >= 0, m >= a {
                    let unit = cell(.unit).flatMap { vocabulary.units[fold($0)] }.flatMap(CapacityUnit.init(rawValue:))
                    draft.capacity = .some((a, m, unit))
                } else {
                    problem(row.line, named(Int(available) == nil ? .available : .maximum), .notANumber, "\(available) / \(maximum)")
                }
            }
            if let raw = cell(.verified), !raw.isEmpty {
                if let day = Day(raw) { draft.verifiedOn = day } else { problem(row.line, named(.verified), .badDate, raw) }
            }
            result.drafts.append(draft)
        }
        return result
    }

    /// The plain CSV's columns, in the export's order.
    public enum PlainColumn: String, Sendable, CaseIterable {
        case id, name, organisation, status, category, language, eligibility, province, city, region, address, frontDoor, phone, email,
            website, area, available, maximum, unit, verified
    }

    /// What a plain file's values may say, folded, to the stored value.
    public struct Vocabulary: Sendable {
        public var statuses: [String: String] = [:]
        public var categories: [String: String] = [:]
        public var languages: [String: String] = [:]
        public var immigrationStatuses: [String: String] = [:]
        public var provinces: [String: String] = [:]
        public var regions: [String: String] = [:]
        public var units: [String: String] = [:]
        /// "Everyone" in both languages (no restriction by status).
        public var everyone: Set<String> = []
        /// What the export writes in place of a confidential address.
        public var confidential: Set<String> = []

        public init() {}
    }

    /// Case, accents and surrounding spaces folded, for comparing what people type.
    public static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .trimmingCharacters(in: .whitespaces)
    }

    static func list(_ raw: String) -> [String] {
        raw.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map { String($0) }
    }
}

/// The HSDS tables and the columns an import cannot do without.
public enum HSDSFields {
    public static let tables: [String: [String]] = [
        "services": ["id", "organization_id"],
        "service_at_locations": ["service_id", "location_id"],
        "phones": ["service_id", "number"],
        "languages": ["service_id", "code"],
        "service_areas": ["service_id", "name"],
        "schedules": ["service_id", "byday", "opens_at", "closes_at"],
        "service_capacity": ["service_id", "available", "maximum"],
        "locations": ["id"],
        "addresses": ["location_id"],
    ]
    public static let requiredColumns: Set<String> = [
        "id", "organization_id", "service_id", "location_id", "number", "code", "name", "byday", "opens_at", "closes_at", "available", "maximum",
    ]
}
