# anchorbrowser_exporter container image: built from source on Debian, run on Debian's runtime
# libraries only. Build:  docker build -t anchorbrowser_exporter .
# Optionally stamp the git version into the binary (the build context holds no .git):
#   docker build --build-arg GIT_DESCRIBE="$(git describe --tags --dirty --always)" \
#                --build-arg GIT_REVISION="$(git rev-parse --short=12 HEAD)" -t anchorbrowser_exporter .

# --- build stage: compilers and -dev packages live only here ---------------------------------
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config \
      prometheus-cpp-dev libcpp-httplib-dev libssl-dev rapidjson-dev libyaml-cpp-dev \
      libcli11-dev libspdlog-dev zlib1g-dev libcrypt-dev libboost-dev libre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ARG GIT_DESCRIBE=""
ARG GIT_REVISION=""
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DANCHOR_BUILD_TESTS=OFF \
      -DANCHOR_GIT_DESCRIBE="${GIT_DESCRIBE}" -DANCHOR_GIT_REVISION="${GIT_REVISION}" \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/stage cmake --install /build --strip

# --- runtime stage: the binary and the shared libraries it links, nothing else ---------------
# The install's package cache (/var/cache/apt: the .debs and pkgcache.bin, ~80 MB) and lists
# are removed in the same layer, not left to the base image's apt configuration.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libprometheus-cpp-core1.0 libcpp-httplib0.11 libyaml-cpp0.7 \
      libspdlog1.10 libssl3 zlib1g libre2-9 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/apt/* \
      /var/log/dpkg.log \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin anchorbrowser_exporter \
 && mkdir -p /etc/anchorbrowser_exporter
COPY --from=build /stage/usr/bin/anchorbrowser_exporter /usr/bin/anchorbrowser_exporter
COPY --from=build /stage/usr/share/doc/anchorbrowser_exporter/config.example.yaml \
     /etc/anchorbrowser_exporter/config.example.yaml
# Numeric, so that runtimes which enforce "run as non-root" can verify it.
USER 10001:10001
EXPOSE 9877
# The API key comes from the environment: docker run -e ANCHORBROWSER_API_KEY=...
# (the config's anchor.api_key_env, ANCHORBROWSER_API_KEY by default).
ENTRYPOINT ["/usr/bin/anchorbrowser_exporter", "--config.file=/etc/anchorbrowser_exporter/config.yaml"]
