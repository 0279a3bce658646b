import Domain
import Fluent
import Foundation
import Vapor

/// Editing a listing: every field of the service in one form, in both languages, kept as
/// history field by field; a form opened before someone else's save is refused (409).
extension DirectoryController {
    static let textLimit = 200

    struct EditForm: Content {
        var nameFR: String?
        var nameEN: String?
        var descriptionFR: String?
        var descriptionEN: String?
        var status: String?
        var categories: [String]?
        var languages: String?
        var eligible: [String]?
        var minimumAge: String?
        var maximumAge: String?
        var feesFR: String?
        var feesEN: String?
        var phone: String?
        var email: String?
        var website: String?
        var city: String?
        var address: String?
        var confidential: String?
        var frontDoor: String?
        var opens: [String: String]?
        var closes: [String: String]?
        @LenientInt var version: Int? = nil
    }

    struct EditContext: Page {
        static let template = "directory/edit"

        let page: PageChrome
        let csrf: String
        let action: String
        let cancel: String
        let version: Int
        let values: [String: String]
        let statuses: [FormOption]
        let categories: [FormOption]
        let eligible: [FormOption]
        let confidential: Bool
        let days: [DayRow]
        let errors: FormErrors
    }

    struct DayRow: Encodable {
        let day: String
        let labelKey: String
        let opens: String
        let closes: String
    }

    static func editValues(_ service: DirectoryService) -> [String: String] {
        [
            "nameFR": service.nameFR, "nameEN": service.nameEN, "descriptionFR": service.descriptionFR, "descriptionEN": service.descriptionEN,
            "languages": service.languages.replacingOccurrences(of: ",", with: ", "), "minimumAge": service.minimumAge.map(String.init) ?? "",
            "maximumAge": service.maximumAge.map(String.init) ?? "", "feesFR": service.feesFR, "feesEN": service.feesEN, "phone": service.phone,
            "email": service.email, "website": service.website, "city": service.city, "address": service.address, "frontDoor": service.frontDoor,
        ]
    }

    func renderEdit(
        _ req: Request, service: DirectoryService, values: [String: String], status: String, categories: Set<String>, eligible: Set<String>,
        confidential: Bool, hours: [String: (String, String)], version: Int, errors: FormErrors, code: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let id = service.id!.uuidString
        return try await req.render(
            EditContext(
                page: PageChrome(req, titleKey: "directory.edit.title", titleText: "\(req.t("directory.edit.title")) — \(Self.name(service, req))"),
                csrf: req.csrfToken, action: SiteURL.directoryAction(.value(id), .edit).path, cancel: SiteURL.directoryService(.value(id)).path,
                version: version, values: values, statuses: req.options(ServiceStatus.self, selected: [status], label: \.labelKey),
                categories: req.options(ServiceCategory.self, selected: categories, label: \.labelKey),
                eligible: req.options(ImmigrationStatus.self, selected: eligible, label: \.labelKey), confidential: confidential,
                days: Weekday.allCases.map {
                    DayRow(day: $0.rawValue, labelKey: $0.labelKey, opens: hours[$0.rawValue]?.0 ?? "", closes: hours[$0.rawValue]?.1 ?? "")
                },
                errors: errors), status: code)
    }

    @Sendable
    func editForm(req: Request) async throws -> Response {
        let (service, _) = try await managed(req)
        var hours: [String: (String, String)] = [:]
        for (day, range) in service.openingHours.days { hours[day.rawValue] = (OpeningHours.text(range.opens), OpeningHours.text(range.closes)) }
        return try await renderEdit(
            req, service: service, values: Self.editValues(service), status: service.status,
            categories: Set(service.categories.split(separator: ",").map(String.init)),
            eligible: Set(service.eligibleStatuses.split(separator: ",").map(String.init)), confidential: service.confidential, hours: hours,
            version: service.version, errors: FormErrors())
    }

    @Sendable
    func saveEdit(req: Request) async throws -> Response {
        let (service, _) = try await managed(req)
        let form = (try? req.content.decode(EditForm.self)) ?? EditForm()
        var errors = FormErrors()
        func text(_ field: String, _ value: String?, limit: Int = DirectoryController.textLimit, required: Bool = false, singleLine: Bool = true)
            -> String
        {
            let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if required, trimmed.isEmpty { errors.add(field, req.t("field.required")) }
            errors.check(field, trimmed, limit: limit, singleLine: singleLine, req)
            return trimmed
        }
        let nameFR = text("nameFR", form.nameFR, required: true)
        let nameEN = text("nameEN", form.nameEN, required: true)
        let descriptionFR = text("descriptionFR", form.descriptionFR, limit: DirectoryRules.maximumDescriptionLength, singleLine: false)
        let descriptionEN = text("descriptionEN", form.descriptionEN, limit: DirectoryRules.maximumDescriptionLength, singleLine: false)
        let status = ServiceStatus(rawValue: form.status ?? "")
        if status == nil { errors.add("status", req.t("field.invalid_choice")) }
        let categories = ServiceCategory.parseAll(form.categories ?? [])
        if categories == nil {
            errors.add("categories", req.t("field.invalid_choice"))
        } else if categories!.isEmpty {
            errors.add("categories", req.t("directory.error.categories"))
        }
        let languageText = text("languages", form.languages)
        let codes = languageText.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.lowercased() }
        if codes.isEmpty || !codes.allSatisfy({ Self.languages.contains($0) }) {
            errors.add("languages", req.t("directory.error.languages", Self.languages.joined(separator: ", ")))
        }
        let eligible = (form.eligible ?? []).map { ImmigrationStatus(rawValue: $0) }
        if eligible.contains(where: { $0 == nil }) { errors.add("eligible", req.t("field.invalid_choice")) }
        func age(_ field: String, _ raw: String?) -> Int? {
            let trimmed = (raw ?? "").trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let value = Int(trimmed), (0...120).contains(value) else {
                errors.add(field, req.t("directory.error.age"))
                return nil
            }
            return value
        }
        let minimumAge = age("minimumAge", form.minimumAge)
        let maximumAge = age("maximumAge", form.maximumAge)
        if let minimumAge, let maximumAge, minimumAge > maximumAge { errors.add("maximumAge", req.t("directory.error.age_order")) }
        let feesFR = text("feesFR", form.feesFR)
        let feesEN = text("feesEN", form.feesEN)
        let phone = text("phone", form.phone)
        let email = text("email", form.email)
        if !email.isEmpty, !EmailAddress.isValid(EmailAddress.normalise(email)) { errors.add("email", req.t("field.email_invalid")) }
        let website = text("website", form.website)
        let city = text("city", form.city, required: true)
        let address = text("address", form.address)
        let confidential = form.confidential == "on"
        let frontDoor = text("frontDoor", form.frontDoor)
        if confidential, frontDoor.isEmpty { errors.add("frontDoor", req.t("directory.error.front_door")) }
        var hours = OpeningHours()
        var typedHours: [String: (String, String)] = [:]
        for day in Weekday.allCases {
            let opens = (form.opens?[day.rawValue] ?? "").trimmingCharacters(in: .whitespaces)
            let closes = (form.closes?[day.rawValue] ?? "").trimmingCharacters(in: .whitespaces)
            typedHours[day.rawValue] = (opens, closes)
            if opens.isEmpty, closes.isEmpty { continue }
            guard let from = OpeningHours.minutes(opens), let to = OpeningHours.minutes(closes) else {
                errors.add("hours", req.t("directory.error.hours", req.t(day.labelKey)))
                continue
            }
            hours.days[day] = .init(opens: from, closes: to)
        }
        let values = [
            "nameFR": nameFR, "nameEN": nameEN, "descriptionFR": descriptionFR, "descriptionEN": descriptionEN, "languages": languageText,
            "minimumAge": form.minimumAge ?? "", "maximumAge": form.maximumAge ?? "", "feesFR": feesFR, "feesEN": feesEN, "phone": phone,
            "email": email, "website": website, "city": city, "address": address, "frontDoor": frontDoor,
        ]
        func again(_ errors: FormErrors, _ code: HTTPResponseStatus) async throws -> Response {
            try await renderEdit(
                req, service: service, values: values, status: form.status ?? "", categories: Set(form.categories ?? []),
                eligible: Set(form.eligible ?? []), confidential: confidential, hours: typedHours, version: form.version ?? service.version,
                errors: errors, code: code)
        }
        guard errors.isEmpty, let status, let categories else { return try await again(errors, .unprocessableEntity) }
        guard form.version == service.version else {
            var stale = FormErrors()
            stale.add("form", req.t("case.error.stale"))
            return try await again(stale, .conflict)
        }
        let before = Self.editValues(service)
        service.nameFR = nameFR
        service.nameEN = nameEN
        service.descriptionFR = descriptionFR
        service.descriptionEN = descriptionEN
        service.status = status.rawValue
        service.categories = categories.map(\.rawValue).joined(separator: ",")
        service.languages = codes.joined(separator: ",")
        service.eligibleStatuses = eligible.compactMap { $0?.rawValue }.joined(separator: ",")
        service.minimumAge = minimumAge
        service.maximumAge = maximumAge
        service.feesFR = feesFR
        service.feesEN = feesEN
        service.phone = phone
        service.email = email
        service.website = website
        service.city = city
        service.address = address
        service.confidential = confidential
        service.frontDoor = frontDoor
        service.openingHours = hours
        let organisation = try await DirectoryOrganisation.find(service.organisationID, on: req.db)
        service.searchText = DirectoryService.searchDocument(
            [nameFR, nameEN, descriptionFR, descriptionEN, organisation?.name ?? "", city])
        service.updatedAt = req.now
        let expected = service.version
        service.version += 1
        let after = Self.editValues(service)
        // The history keeps which fields changed; a confidential address is never written there.
        let changes: [(field: String, previous: String, replacement: String)] = after.keys.sorted().filter { before[$0] != after[$0] }.map {
            field in
            field == "address" && confidential
                ? (field: field, previous: "—", replacement: "—") : (field: field, previous: before[field] ?? "", replacement: after[field] ?? "")
        }
        let saved = try await req.db.writeTransaction { db -> Bool in
            guard let current = try await DirectoryService.find(service.id, on: db), current.version == expected else { return false }
            try await service.save(on: db)
            try await Self.record(req, service, action: "updated", changes: changes, on: db)
            return true
        }
        guard saved else {
            var stale = FormErrors()
            stale.add("form", req.t("case.error.stale"))
            return try await again(stale, .conflict)
        }
        return req.redirect(to: SiteURL.directoryService(.value(service.id!.uuidString)).path, saved: .directoryUpdated)
    }
}
