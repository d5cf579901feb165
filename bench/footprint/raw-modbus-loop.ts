/**
 * The floor of the footprint bench, run as its own process: modbus-serial alone reading the frequency
 * register of one simulated Huawei inverter back to back, nothing else. argv: host port unit seconds.
 * Prints one JSON line {requests, cpuUs, wallMs}: the CPU this process spent over the loop only.
 */
import modbusSerial from 'modbus-serial';

const ModbusRTU = modbusSerial.default;
const [host = '127.0.0.1', port = '502', unit = '1', seconds = '5'] = process.argv.slice(2);

const client = new ModbusRTU();
await client.connectTCP(host, { port: Number(port) });
client.setID(Number(unit));
client.setTimeout(1000);
// A few reads first so JIT warm-up is not counted.
for (let i = 0; i < 200; i++) await client.readHoldingRegisters(32085, 1);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let requests = 0;
while (performance.now() - t0 < Number(seconds) * 1000) {
  await client.readHoldingRegisters(32085, 1);
  requests++;
}
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ requests, cpuUs: cpu.user + cpu.system, wallMs })}\n`);
client.close(() => process.exit(0));
