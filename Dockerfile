# Energy Gateway image: one image, three services (egw run, egw-ble, egw-sim) chosen by the command.
# Builds on Debian bookworm with Node 20 (the project's floor); balena builds it per device architecture.
FROM node:20-bookworm-slim AS build
# Native addons (better-sqlite3, bluetooth-hci-socket, serialport) fall back to a source build when no
# prebuilt binary matches the board; the toolchain stays in this stage only.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ libudev-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY server ./server
COPY bluetooth ./bluetooth
COPY modbus_slave ./modbus_slave
COPY client ./client

FROM node:20-bookworm-slim
# network-manager provides nmcli for Wi-Fi provisioning (talks to the host's NetworkManager over D-Bus);
# bluez provides hciconfig for the BLE service's adapter checks; gpiod provides gpiomon for the
# provisioning button; tini reaps and forwards signals.
RUN apt-get update \
  && apt-get install -y --no-install-recommends network-manager bluez gpiod tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production \
    EGW_DATA_DIR=/data \
    EGW_HTTP_PORT=5000 \
    DBUS_SYSTEM_BUS_ADDRESS=unix:path=/host/run/dbus/system_bus_socket
VOLUME /data
EXPOSE 5000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/egw.mjs", "run"]
