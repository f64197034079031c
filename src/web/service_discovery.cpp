#include "web/service_discovery.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace anchor {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Label(JsonWriter& w, const std::string& name, const std::string& value) {
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string RenderServiceDiscovery(const std::vector<ServiceDiscoveryTarget>& targets) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const auto& t : targets) {
    w.StartObject();
    w.Key("targets");
    w.StartArray();
    w.String(t.batch_id.data(), static_cast<rapidjson::SizeType>(t.batch_id.size()));
    w.EndArray();
    w.Key("labels");
    w.StartObject();
    Label(w, "__meta_anchorbrowser_source", t.discovered ? "discovered" : "configured");
    if (t.status) Label(w, "__meta_anchorbrowser_status", *t.status);
    // Static label names are valid Prometheus label names (the config loader checks them).
    for (const auto& [name, value] : t.labels)
      Label(w, "__meta_anchorbrowser_label_" + name, value);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace anchor
