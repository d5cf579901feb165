"""A third-party Modbus client (pymodbus) against the simulator: reads every given register range in
reads of at most 125 registers and walks SunSpec model chains. Input on stdin, JSON:
{"devices": [{"id", "port", "unit", "ranges": [[function, start, count], ...]}],
 "sunspec": [{"id", "port", "unit"}]}
Output on stdout, JSON: {"errors": ["<id> fc:start+count: <reason>", ...], "reads": N,
 "chains": {"<id>": [[model id, length], ...]}}."""
import json
import sys

from pymodbus.client import ModbusTcpClient


def read(client, fn, start, count, unit):
    if fn == 3:
        return client.read_holding_registers(start, count, slave=unit)
    return client.read_input_registers(start, count, slave=unit)


def read_ranges(device, errors):
    client = ModbusTcpClient("127.0.0.1", port=device["port"], timeout=3)
    client.connect()
    reads = 0
    try:
        for fn, start, count in device["ranges"]:
            at = start
            while at < start + count:
                n = min(125, start + count - at)
                reply = read(client, fn, at, n, device["unit"])
                reads += 1
                if reply.isError() or len(reply.registers) != n:
                    errors.append(f'{device["id"]} {fn}:{at}+{n}: {reply}')
                at += n
    finally:
        client.close()
    return reads


def walk(target, errors):
    client = ModbusTcpClient("127.0.0.1", port=target["port"], timeout=3)
    client.connect()
    models = []
    try:
        marker = client.read_holding_registers(40000, 2, slave=target["unit"])
        if marker.isError() or marker.registers != [0x5375, 0x6E53]:
            errors.append(f'{target["id"]}: no "SunS" at 40000: {marker}')
            return models
        address = 40002
        while len(models) < 50:
            header = client.read_holding_registers(address, 2, slave=target["unit"])
            if header.isError():
                errors.append(f'{target["id"]}: model header at {address}: {header}')
                break
            model_id, length = header.registers
            if model_id == 0xFFFF:
                break
            models.append([model_id, length])
            # Read the whole model as a SunSpec client does, in reads of at most 125 registers.
            at, end = address + 2, address + 2 + length
            while at < end:
                n = min(125, end - at)
                body = client.read_holding_registers(at, n, slave=target["unit"])
                if body.isError():
                    errors.append(f'{target["id"]}: model {model_id} body {at}+{n}: {body}')
                at += n
            address += 2 + length
    finally:
        client.close()
    return models


def main():
    spec = json.load(sys.stdin)
    errors = []
    reads = sum(read_ranges(device, errors) for device in spec["devices"])
    chains = {target["id"]: walk(target, errors) for target in spec["sunspec"]}
    json.dump({"errors": errors, "reads": reads, "chains": chains}, sys.stdout)


main()
