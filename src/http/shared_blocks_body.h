// Internal to http_connection.cpp: a Boost.Beast body made of shared immutable blocks, so that
// an answer in flight holds references to the render cache's blocks instead of a copy of them.
// Includes Boost.Beast; keep it out of other headers.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace anchor {

struct SharedBlocksBody {
  using value_type = std::vector<std::shared_ptr<const std::string>>;

  static std::uint64_t size(const value_type& blocks) {
    std::uint64_t n = 0;
    for (const auto& b : blocks) n += b->size();
    return n;
  }

  // Hands the serializer up to kGather blocks at a time: one gather write (writev) each.
  class writer {
   public:
    static constexpr std::size_t kGather = 16;
    using const_buffers_type = std::vector<boost::asio::const_buffer>;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>& /*header*/,
           const value_type& blocks)
        : blocks_(blocks) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      const_buffers_type out;
      while (next_ < blocks_.size() && out.size() < kGather) {
        const std::string& block = *blocks_[next_++];
        if (!block.empty()) out.emplace_back(block.data(), block.size());
      }
      if (out.empty()) return boost::none;
      bool more = false;
      for (std::size_t i = next_; i < blocks_.size() && !more; ++i) more = !blocks_[i]->empty();
      return std::make_pair(std::move(out), more);
    }

   private:
    const value_type& blocks_;
    std::size_t next_ = 0;
  };
};

}  // namespace anchor
