# Energy Gateway image: one image, three services (egw run, egw-ble, egw-sim) chosen by the command.
# Node 24 LTS runs the TypeScript sources directly (type stripping): no build step, no transpiler.
# balena builds it per device architecture.

# --- build: production dependencies only, and a warm compile cache --------------------------------
FROM node:24-bookworm-slim AS build
# Native addons (serialport, bluetooth-hci-socket) fall back to a source build when no prebuilt binary
# matches the board; the toolchain stays in this stage only. (better-sqlite3 13 ships its binaries.)
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ libudev-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall applies patches/ to bleno (patches/README.md).
COPY patches ./patches
COPY scripts/apply-patches.mjs ./scripts/
# No devDependencies: no tsx, esbuild, typescript, balena-sdk (the fleet tool is a workstation command).
# scripts/check-image-deps.mjs runs this same line in CI and lists what it installs.
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY server ./server
COPY bluetooth ./bluetooth
COPY modbus_slave ./modbus_slave
COPY client ./client
COPY scripts/warm-compile-cache.mjs ./scripts/
# Compiled modules cached at build time: a box's first start skips the TypeScript stripper too.
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN node scripts/warm-compile-cache.mjs

# --- runtime ---------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
# network-manager provides nmcli for Wi-Fi provisioning (talks to the host's NetworkManager over D-Bus);
# bluez provides hciconfig for the BLE service's adapter checks; gpiod provides gpiomon for the
# provisioning button; tini reaps and forwards signals.
RUN apt-get update \
  && apt-get install -y --no-install-recommends network-manager bluez gpiod tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
# V8 flags for a 512 MB–1 GB box, chosen with `npm run bench -- footprint` (README, "Footprint"):
# --max-semi-space-size=1 caps the young generation at 1 MB per semi-space. V8 otherwise grows it to
# 16 MB each with the allocation rate, ~30 MB of RSS that buys nothing at this workload (the objects
# of one Modbus round trip die young either way) for no measurable CPU.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=1" \
    NODE_COMPILE_CACHE=/app/.compile-cache \
    EGW_DATA_DIR=/data \
    EGW_HTTP_PORT=5000 \
    DBUS_SYSTEM_BUS_ADDRESS=unix:path=/host/run/dbus/system_bus_socket
VOLUME /data
EXPOSE 5000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/egw.mjs", "run"]
