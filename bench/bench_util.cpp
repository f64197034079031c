#include "bench_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

#include "anchor/timestamp.h"

namespace anchor::bench {

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--targets" && i + 1 < argc) {
      options.targets_file = argv[++i];
    } else if (arg == "--exporter" && i + 1 < argc) {
      options.exporter = argv[++i];
    } else if (arg == "--only" && i + 1 < argc) {
      options.only = argv[++i];
    } else {
      Fail("unknown argument \"" + arg +
           "\" (expected --quick, --targets FILE, --exporter PATH, --only SECTION)");
    }
  }
  return options;
}

namespace {

std::uint64_t Mix(std::uint64_t h) {
  h ^= h >> 31;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h;
}

const char* SessionStatus(int i, bool terminal) {
  const int r = static_cast<int>(Mix(static_cast<std::uint64_t>(i) + 7) % 20);
  if (terminal) return r < 18 ? "completed" : "failed";
  if (r < 10) return "completed";
  if (r < 12) return "failed";
  if (r < 17) return "processing";
  return "pending";
}

// The error text of a failed session, as a JSON string: a mix of Chromium/CDP-style messages
// with the numbers, hosts and ids that make nearly every text distinct (the worst case for the
// per-parse cache of error classes), one in six of no default class.
std::string SessionError(int i, const std::string& sid) {
  const std::string n = std::to_string(30000 + i % 997);
  const std::string host = "shop-" + std::to_string(i % 50) + ".example.com";
  switch (i % 6) {
    case 0:
      return "\"Navigation timeout of " + n + " ms exceeded\"";
    case 1:
      return "\"net::ERR_NAME_NOT_RESOLVED at https://" + host + "/item/" + std::to_string(i) +
             "\"";
    case 2:
      return "\"Proxy connection failed: 407 Proxy Authentication Required (port " + n + ")\"";
    case 3:
      return "\"Access denied: captcha challenge on https://" + host + "/login\"";
    case 4:
      return "\"Protocol error: Target closed (session " + sid + ")\"";
    default:
      return "\"Runtime.callFunctionOn: Execution context was destroyed at step " +
             std::to_string(i % 40) + "\"";
  }
}

}  // namespace

std::string Uuid(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t hi = Mix(a * 0x9e3779b97f4a7c15ULL + b);
  const std::uint64_t lo = Mix(hi ^ (b + 0x632be59bd9b4e019ULL));
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(lo >> 52),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string BatchBody(const std::string& id, int sessions, const std::string& status) {
  const bool terminal = status == "completed" || status == "failed" || status == "cancelled";
  int counts[4] = {0, 0, 0, 0};  // completed, failed, processing, pending
  std::string list;
  list.reserve(static_cast<size_t>(sessions) * 420);
  for (int i = 0; i < sessions; ++i) {
    const std::string st = SessionStatus(i, terminal);
    counts[st == "completed" ? 0 : st == "failed" ? 1 : st == "processing" ? 2 : 3]++;
    const std::string sid = Uuid(std::hash<std::string>{}(id), static_cast<std::uint64_t>(i));
    const bool started = st != "pending";
    const bool done = st == "completed" || st == "failed";
    if (i > 0) list += ',';
    for (const std::string& part :
         {std::string(R"({"item_index": )"),
          std::to_string(i),
          std::string(R"(, "session_id": ")"),
          sid,
          std::string(R"(", "status": ")"),
          st,
          std::string(R"(", "cdp_url": "wss://connect.anchorbrowser.io?sessionId=)"),
          sid,
          std::string(R"(", "live_view_url": "https://live.anchorbrowser.io/inspector.html?)"
                      R"(host=connect.anchorbrowser.io&sessionId=)"),
          sid,
          std::string(R"(", "error": )"),
          st == "failed" ? SessionError(i, sid) : std::string("null"),
          std::string(R"(, "retry_count": )"),
          std::to_string(i % 7 == 0 ? 1 + i % 3 : 0),
          std::string(R"(, "started_at": )"),
          started ? "\"" + FormatRfc3339(1795860000 + 5 + i % 600 + (i % 1000) / 1000.0) + "\""
                  : std::string("null"),
          std::string(R"(, "completed_at": )"),
          done
              ? "\"" + FormatRfc3339(1795860000 + 65 + i % 600 + (i * 7 % 900) + i % 997 / 1000.0) +
                    "\""
              : std::string("null"),
          std::string(R"(, "metadata": {"customer": "acme", "row": )"),
          std::to_string(i),
          std::string("}}")}) {
      list += part;
    }
  }
  const int finished = counts[0] + counts[1];
  std::ostringstream s;
  s << R"({"data": {"batch_id": ")" << id << R"(", "status": ")" << status << R"(", )"
    << R"("total_requests": )" << sessions << R"(, "completed_requests": )" << counts[0]
    << R"(, "failed_requests": )" << counts[1] << R"(, "processing_requests": )" << counts[2]
    << R"(, "pending_requests": )" << counts[3]
    << R"(, "created_at": "2026-11-28T10:00:00Z", "actual_completion_time": )"
    << (terminal ? R"("2026-11-28T10:09:41Z")" : "null") << R"(, "error": null, "sessions": [)"
    << list << R"(], "progress": {"percentage": )"
    << (sessions > 0 ? 100.0 * finished / sessions : 100.0) << R"(, "current_phase": "ready"}}})";
  return s.str();
}

Stats Summarize(std::vector<double> samples) {
  Stats s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.n = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  const size_t mid = s.n / 2;
  s.median = s.n % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  const auto rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(s.n)));
  s.p99 = samples[std::min(s.n, std::max<size_t>(rank, 1)) - 1];
  return s;
}

std::string Fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, value);
  return buf;
}

std::string Ms(double seconds) {
  const double ms = seconds * 1000;
  return Fixed(ms, ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3) + " ms";
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells) out += " " + c + " |";
    return out;
  };
  std::cout << line(header) << "\n|";
  for (size_t i = 0; i < header.size(); ++i) std::cout << (i == 0 ? " --- |" : " ---: |");
  std::cout << "\n";
  for (const auto& row : rows) std::cout << line(row) << "\n";
  std::cout << std::endl;
}

void ReportTarget(const Options& options, const std::string& name, const std::string& target,
                  const std::string& measured, bool met, const std::string& note) {
  const char* verdict = met ? "met" : "MISSED";
  std::cout << "Target: " << name << ": " << target << " -> " << measured << " (" << verdict << ")"
            << (note.empty() ? "" : " " + note) << "\n\n";
  if (options.targets_file.empty()) return;
  std::ofstream out(options.targets_file, std::ios::app);
  out << name << '\t' << target << '\t' << measured << '\t' << verdict << '\t' << note << '\n';
}

namespace {

long StatusField(pid_t pid, const std::string& field) {
  const std::string path =
      pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

}  // namespace

long PeakRssKiB(pid_t pid) { return StatusField(pid, "VmHWM"); }
long CurrentRssKiB(pid_t pid) { return StatusField(pid, "VmRSS"); }

namespace {

std::mutex children_mu;
std::set<pid_t>& Children() {
  static std::set<pid_t> children;
  return children;
}

}  // namespace

void TrackChild(pid_t pid) {
  std::lock_guard<std::mutex> lock(children_mu);
  Children().insert(pid);
}

void UntrackChild(pid_t pid) {
  std::lock_guard<std::mutex> lock(children_mu);
  Children().erase(pid);
}

void Fail(const std::string& message) {
  std::cerr << "bench: " << message << std::endl;
  {
    std::lock_guard<std::mutex> lock(children_mu);
    for (const pid_t pid : Children()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::exit(1);  // NOLINT(concurrency-mt-unsafe): the benchmark is over; a failure must show
}

std::string GunzipMembers(const std::string& gz) {
  std::string out;
  size_t used = 0;
  std::vector<char> buf(1 << 16);
  while (used < gz.size()) {
    z_stream s{};
    if (inflateInit2(&s, 15 + 16) != Z_OK) Fail("inflateInit2");
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + used));
    s.avail_in = static_cast<uInt>(gz.size() - used);
    int rc = Z_OK;
    while (rc == Z_OK) {
      s.next_out = reinterpret_cast<Bytef*>(buf.data());
      s.avail_out = static_cast<uInt>(buf.size());
      rc = inflate(&s, Z_NO_FLUSH);
      out.append(buf.data(), buf.size() - s.avail_out);
    }
    if (rc != Z_STREAM_END) Fail("broken gzip member");
    used += s.total_in;
    inflateEnd(&s);
  }
  return out;
}

}  // namespace anchor::bench
