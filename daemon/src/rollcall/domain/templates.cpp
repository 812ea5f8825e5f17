#include "rollcall/domain/templates.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

namespace rollcall::domain {

namespace {

const std::vector<std::string> common_placeholders{"first_name", "site_name", "site_phone", "date",
                                                   "time",       "slot",      "reply_hints"};

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

// One step of the template scanner: a literal run, an escaped brace, a placeholder or a stray brace.
struct token {
  enum class type { text, placeholder, bad } what;
  std::string_view text;  // literal text, the placeholder name, or the offending fragment
  std::size_t length;     // bytes consumed
};

token next_token(std::string_view s) {
  if (s.starts_with("{{")) return {token::type::text, s.substr(0, 1), 2};
  if (s.starts_with("}}")) return {token::type::text, s.substr(0, 1), 2};
  if (s.front() == '}') return {token::type::bad, s.substr(0, 1), 1};
  if (s.front() == '{') {
    std::size_t n = 1;
    while (n < s.size() && is_name_char(s[n])) ++n;
    if (n > 1 && n < s.size() && s[n] == '}') return {token::type::placeholder, s.substr(1, n - 1), n + 1};
    return {token::type::bad, s.substr(0, std::min(n + 1, s.size())), 1};
  }
  const auto end = std::min(s.find('{'), s.find('}'));
  const auto n = std::min(end, s.size());
  return {token::type::text, s.substr(0, n), n};
}

// Decodes one UTF-8 sequence; an invalid byte decodes as U+FFFD and consumes one byte.
char32_t decode_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const std::size_t extra = b0 < 0x80             ? 0
                            : (b0 & 0xE0) == 0xC0 ? 1
                            : (b0 & 0xF0) == 0xE0 ? 2
                            : (b0 & 0xF8) == 0xF0 ? 3
                                                  : 9;
  if (extra == 9 || i + extra >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = extra == 0 ? b0 : b0 & (0x3Fu >> extra);
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  i += extra + 1;
  return cp;
}

// GSM 03.38 default alphabet (the basic table) as Unicode code points.
bool is_gsm_basic(char32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::u32string_view others = U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà";
  return others.find(c) != std::u32string_view::npos;
}

// The extension table, sent as escape + character: two septets each.
bool is_gsm_extension(char32_t c) {
  static constexpr std::u32string_view ext = U"\f^{}\\[~]|€";
  return ext.find(c) != std::u32string_view::npos;
}

message_template sms(std::string kind, std::string language, std::string body) {
  return {"default", std::move(kind), "sms", std::move(language), "", std::move(body)};
}
message_template email(std::string kind, std::string language, std::string subject, std::string body) {
  return {"default", std::move(kind), "email", std::move(language), std::move(subject), std::move(body)};
}

// Lower-cases ASCII and the Latin-1 capitals (UTF-8 C3 80..9E, except the multiplication sign).
std::string fold(std::string_view word) {
  std::string out{word};
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& c = out[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const auto u = static_cast<unsigned char>(c);
    if (u == 0xC3 && i + 1 < out.size()) {
      const auto n = static_cast<unsigned char>(out[i + 1]);
      if (n >= 0x80 && n <= 0x9E && n != 0x97) out[i + 1] = static_cast<char>(n + 0x20);
      ++i;
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& template_kinds() {
  static const std::vector<std::string> kinds{"reminder", "cancelled", "moved",     "opt_out",
                                              "opt_in",   "help",      "confirmed", "declined"};
  return kinds;
}

bool is_template_kind(std::string_view kind) {
  const auto& k = template_kinds();
  return std::find(k.begin(), k.end(), kind) != k.end();
}

const std::vector<std::string>& placeholders_of(std::string_view kind) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> moved = [] {
    auto v = common_placeholders;
    v.push_back("old_date");
    v.push_back("old_time");
    return v;
  }();
  if (kind == "moved") return moved;
  return is_template_kind(kind) ? common_placeholders : none;
}

std::optional<template_problem> check_template(std::string_view text, std::string_view kind) {
  const auto& allowed = placeholders_of(kind);
  while (!text.empty()) {
    const auto t = next_token(text);
    if (t.what == token::type::bad)
      return template_problem{"", "unbalanced brace at \"" + std::string{t.text} + "\" (write {{ or }} for a brace)"};
    if (t.what == token::type::placeholder && std::find(allowed.begin(), allowed.end(), t.text) == allowed.end()) {
      std::string msg = "unknown placeholder {";
      msg += t.text;
      msg += "}";
      return template_problem{std::string{t.text}, std::move(msg)};
    }
    text.remove_prefix(t.length);
  }
  return std::nullopt;
}

std::string render_template(std::string_view text, const placeholder_values& values) {
  std::string out;
  out.reserve(text.size() + 64);
  while (!text.empty()) {
    const auto t = next_token(text);
    if (t.what == token::type::placeholder) {
      if (auto it = values.find(t.text); it != values.end()) out += it->second;
    } else {
      out += t.what == token::type::bad ? text.substr(0, 1) : t.text;
    }
    text.remove_prefix(t.length);
  }
  return out;
}

sms_length sms_segments(std::string_view utf8) {
  int septets = 0;
  int utf16 = 0;
  bool gsm = true;
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t c = decode_utf8(utf8, i);
    utf16 += c > 0xFFFF ? 2 : 1;
    if (is_gsm_basic(c))
      septets += 1;
    else if (is_gsm_extension(c))
      septets += 2;
    else
      gsm = false;
  }
  sms_length out;
  out.ucs2 = !gsm;
  out.units = gsm ? septets : utf16;
  const int single = gsm ? 160 : 70;
  const int part = gsm ? 153 : 67;  // a concatenated segment spends 6 bytes on its header
  out.segments = out.units <= single ? 1 : (out.units + part - 1) / part;
  return out;
}

std::string reply_hints(std::string_view channel, std::string_view language) {
  const bool es = language == "es";
  if (channel == "email")
    return es ? "Si no puede venir, por favor avísenos." : "If you can't make it, please let us know.";
  // SMS hints stay in the GSM alphabet (no á, í, ó, ú) so they cost 7 bits a character.
  return es ? "Responda C para confirmar, N si no puede venir. STOP para no recibir mensajes."
            : "Reply C to confirm, N if you can't make it. STOP to opt out.";
}

placeholder_values realistic_placeholder_values(std::string_view channel, std::string_view language) {
  return {{"first_name", "Alexandria"}, {"site_name", "Eastside"}, {"site_phone", "+1 212 555 0123"},
          {"date", "Tue Nov 24"},       {"time", "6:00 PM"},       {"slot", "evening"},
          {"old_date", "Mon Nov 23"},   {"old_time", "12:30 PM"},  {"reply_hints", reply_hints(channel, language)}};
}

const std::vector<message_template>& default_templates() {
  // Only a time, a place and how to reply: no word that names the kind of care (42 CFR Part 2).
  static const std::vector<message_template> all{
      sms("reminder", "en", "Hi {first_name}, reminder: {date} {time} at {site_name}. {reply_hints}"),
      sms("cancelled", "en",
          "Hi {first_name}, your {date} {time} appointment at {site_name} is cancelled. Questions? Call "
          "{site_phone}. STOP to opt out."),
      sms("moved", "en",
          "Hi {first_name}, your {old_date} {old_time} appointment at {site_name} is now {date} {time}. "
          "{reply_hints}"),
      sms("opt_out", "en",
          "{site_name}: you're unsubscribed and will get no more messages. Reply START to resubscribe."),
      sms("opt_in", "en",
          "{site_name}: you're subscribed to appointment messages again. Reply STOP to opt out, HELP for help."),
      sms("help", "en", "{site_name} appointment messages. For help call {site_phone}. Reply STOP to opt out."),
      sms("confirmed", "en", "Thanks {first_name}, you're confirmed for {date} {time} at {site_name}."),
      sms("declined", "en",
          "Thanks {first_name}, we've noted you can't make it {date} {time}. To reschedule call {site_phone}."),
      sms("reminder", "es", "Hola {first_name}, recordatorio: {date} {time} en {site_name}. {reply_hints}"),
      sms("cancelled", "es",
          "Hola {first_name}, su cita del {date} {time} en {site_name} fue cancelada. Para preguntas llame al "
          "{site_phone}. STOP para no recibir mensajes."),
      sms("moved", "es",
          "Hola {first_name}, su cita del {old_date} {old_time} en {site_name} ahora es el {date} {time}. "
          "{reply_hints}"),
      sms("opt_out", "es",
          "{site_name}: baja confirmada, no le enviaremos otros mensajes. Responda START para volver a suscribirse."),
      sms("opt_in", "es",
          "{site_name}: le enviaremos de nuevo mensajes sobre sus citas. Responda STOP para no recibir mensajes, "
          "HELP para ayuda."),
      sms("help", "es",
          "{site_name}, mensajes sobre sus citas. Para ayuda llame al {site_phone}. Responda STOP para no recibir "
          "mensajes."),
      sms("confirmed", "es", "Gracias {first_name}, su cita del {date} {time} en {site_name} queda confirmada."),
      sms("declined", "es",
          "Gracias {first_name}, anotamos que no puede venir el {date} {time}. Para otra cita llame al "
          "{site_phone}."),
      email("reminder", "en", "Appointment reminder",
            "Hi {first_name},\n\nThis is a reminder of your appointment on {date} at {time} at {site_name}.\n\n"
            "{reply_hints}\n\nQuestions? Call {site_phone}.\n"),
      email("cancelled", "en", "Appointment cancelled",
            "Hi {first_name},\n\nYour appointment on {date} at {time} at {site_name} is cancelled.\n\n"
            "Questions? Call {site_phone}.\n"),
      email("moved", "en", "Appointment moved",
            "Hi {first_name},\n\nYour appointment on {old_date} at {old_time} at {site_name} is now on {date} at "
            "{time}.\n\n{reply_hints}\n\nQuestions? Call {site_phone}.\n"),
      email("opt_out", "en", "Unsubscribed",
            "You will no longer receive appointment emails from {site_name}.\n\nQuestions? Call {site_phone}.\n"),
      email("opt_in", "en", "Subscribed", "You will receive appointment emails from {site_name} again.\n"),
      email("help", "en", "Help with appointment messages",
            "For help with appointment messages from {site_name}, call {site_phone}.\n"),
      email("confirmed", "en", "Appointment confirmed",
            "Hi {first_name},\n\nThanks, your appointment on {date} at {time} at {site_name} is confirmed.\n"),
      email("declined", "en", "We got your reply",
            "Hi {first_name},\n\nThanks for letting us know you can't make it on {date} at {time}. To reschedule, "
            "call {site_phone}.\n"),
      email("reminder", "es", "Recordatorio de cita",
            "Hola {first_name}:\n\nLe recordamos su cita el {date} a las {time} en {site_name}.\n\n{reply_hints}\n\n"
            "¿Preguntas? Llame al {site_phone}.\n"),
      email("cancelled", "es", "Cita cancelada",
            "Hola {first_name}:\n\nSu cita del {date} a las {time} en {site_name} fue cancelada.\n\n"
            "¿Preguntas? Llame al {site_phone}.\n"),
      email("moved", "es", "Cita cambiada",
            "Hola {first_name}:\n\nSu cita del {old_date} a las {old_time} en {site_name} ahora es el {date} a las "
            "{time}.\n\n{reply_hints}\n\n¿Preguntas? Llame al {site_phone}.\n"),
      email("opt_out", "es", "Baja confirmada",
            "Ya no recibirá correos sobre sus citas de {site_name}.\n\n¿Preguntas? Llame al {site_phone}.\n"),
      email("opt_in", "es", "Alta confirmada", "Volverá a recibir correos sobre sus citas de {site_name}.\n"),
      email("help", "es", "Ayuda con los mensajes de citas",
            "Para ayuda con los mensajes de citas de {site_name}, llame al {site_phone}.\n"),
      email("confirmed", "es", "Cita confirmada",
            "Hola {first_name}:\n\nGracias, su cita del {date} a las {time} en {site_name} queda confirmada.\n"),
      email("declined", "es", "Recibimos su respuesta",
            "Hola {first_name}:\n\nGracias por avisarnos que no puede venir el {date} a las {time}. Para otra "
            "cita, llame al {site_phone}.\n"),
  };
  return all;
}

std::optional<std::string> revealing_word(std::string_view text) {
  // Words that name a kind of care, a substance or a diagnosis, in English and Spanish, folded to
  // lower case. Short ones (aa, na, iop, php, mat) are only matched as whole words.
  static const std::set<std::string, std::less<>> words{
      "treatment", "treatments", "recovery", "addiction", "addictions", "addicted", "substance", "substances", "rehab",
      "rehabilitation", "therapy", "therapies", "therapist", "therapists", "psychotherapy", "counseling", "counselling",
      "counselor", "counsellor", "counselors", "counsellors", "clinic", "clinics", "clinical", "program", "programs",
      "programme", "detox", "detoxification", "sober", "sobriety", "relapse", "alcohol", "alcoholic", "alcoholics",
      "drug", "drugs", "opioid", "opioids", "opiate", "opiates", "methadone", "suboxone", "buprenorphine", "naloxone",
      "narcan", "naltrexone", "vivitrol", "heroin", "fentanyl", "narcotics", "withdrawal", "iop", "php", "aa", "na",
      "mat", "diagnosis", "diagnosed", "psychiatric", "psychiatry", "psychiatrist", "mental", "behavioral",
      "behavioural", "group", "groups", "outpatient", "inpatient", "aftercare", "hospitalization",
      // Spanish
      "tratamiento", "recuperación", "recuperacion", "adicción", "adiccion", "adicciones", "sustancia", "sustancias",
      "rehabilitación", "rehabilitacion", "terapia", "terapeuta", "consejería", "consejeria", "consejero", "consejera",
      "clínica", "clinica", "programa", "desintoxicación", "desintoxicacion", "sobriedad", "recaída", "recaida",
      "alcohólico", "alcoholico", "droga", "drogas", "opioide", "opioides", "metadona", "diagnóstico", "diagnostico",
      "psiquiátrico", "psiquiatrico", "psiquiatría", "psiquiatria", "conductual", "grupo", "grupos"};
  // A word is a run of ASCII letters and digits and non-ASCII letters; Latin-1 signs (¿ ¡ « »),
  // general punctuation (“ ” ‘ ’ …) and CJK punctuation separate words like ASCII punctuation.
  auto is_word = [](char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;
    return !(c >= 0x2000 && c <= 0x206F) && !(c >= 0x3000 && c <= 0x303F) && c != 0xFFFD;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    if (!is_word(decode_utf8(text, i))) continue;
    std::size_t end = i;
    while (i < text.size()) {
      std::size_t next = i;
      if (!is_word(decode_utf8(text, next))) break;
      end = i = next;
    }
    const auto word = text.substr(start, end - start);
    if (words.contains(fold(word))) return std::string{word};
  }
  return std::nullopt;
}

template_catalog::template_catalog(std::vector<message_template> configured) {
  for (const auto& t : default_templates()) templates_[{t.set, t.kind, t.channel, t.language}] = t;
  for (auto& t : configured) {
    key k{t.set, t.kind, t.channel, t.language};
    templates_[std::move(k)] = std::move(t);
  }
}

const message_template* template_catalog::find(std::string_view set, std::string_view kind, std::string_view channel,
                                               std::string_view language) const {
  const std::array<std::pair<std::string_view, std::string_view>, 4> order{
      {{set, language}, {set, "en"}, {"default", language}, {"default", "en"}}};
  for (const auto& [s, l] : order) {
    auto it = templates_.find(key{std::string{s}, std::string{kind}, std::string{channel}, std::string{l}});
    if (it != templates_.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace rollcall::domain
