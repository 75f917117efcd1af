/**
 * The transfer side of the device-adapter contract, for adapters that take
 * files (`DeviceAdapter.transfers`); an adapter without one passes.
 *
 * @module
 */
import { FileRejected } from "../datamodel/transfer_adapter.ts";
import { type ContractCase, ContractViolation } from "./contract_case.ts";

const DOWNLOAD_TYPES = [
  "1 Firmware Upgrade Image",
  "2 Web Content",
  "3 Vendor Configuration File",
  "4 Tone File",
  "5 Ringer File",
];

/** The checks of an adapter's transfer side. */
export const TRANSFER_CONTRACT: readonly ContractCase[] = [
  {
    name: "free space, if the device takes files, is a byte count or unknown",
    async run(adapter) {
      const transfers = adapter.transfers;
      if (!transfers) return;
      const problems: string[] = [];
      for (const fileType of DOWNLOAD_TYPES) {
        const free = await transfers.freeSpace(fileType);
        if (
          free !== undefined && (!Number.isSafeInteger(free) || free < 0)
        ) {
          problems.push(`freeSpace(${fileType}) returned ${free}`);
        }
      }
      if (problems.length) throw new ContractViolation("freeSpace", problems);
    },
  },
  {
    name: "a firmware image that is not one is refused, not applied",
    async run(adapter) {
      const transfers = adapter.transfers;
      if (!transfers) return;
      const path = await Deno.makeTempFile({ prefix: "contract-junk-" });
      try {
        const junk = crypto.getRandomValues(new Uint8Array(4096));
        await Deno.writeFile(path, junk);
        let refusal: unknown;
        try {
          await transfers.applyDownload({
            fileType: "1 Firmware Upgrade Image",
            path,
            size: junk.byteLength,
            targetFileName: "",
            commandKey: "contract",
          });
        } catch (error) {
          refusal = error;
        }
        if (refusal === undefined) {
          throw new ContractViolation("applyDownload", [
            "4 KiB of random bytes were applied as a firmware image",
          ]);
        }
        if (
          refusal instanceof FileRejected &&
          ![9010, 9018, 9019].includes(refusal.code)
        ) {
          throw new ContractViolation("applyDownload", [
            `FileRejected with ${refusal.code}; a refusal is 9010, 9018 or 9019`,
          ]);
        }
      } finally {
        await Deno.remove(path).catch(() => {});
      }
    },
  },
  {
    name:
      "an upload of a FileType the device does not have is refused; one it has holds exactly its size",
    async run(adapter) {
      const transfers = adapter.transfers;
      if (!transfers) return;
      let produced = true;
      try {
        const content = await transfers.produceUpload("X 000000 NoSuchFile");
        await content.stream.cancel();
      } catch {
        produced = false;
      }
      const problems = produced
        ? ['produceUpload("X 000000 NoSuchFile") produced content']
        : [];
      for (
        const fileType of ["1 Vendor Configuration File", "2 Vendor Log File"]
      ) {
        let content;
        try {
          content = await transfers.produceUpload(fileType);
        } catch {
          continue; // The device need not have every file.
        }
        let bytes = 0;
        for await (const chunk of content.stream) bytes += chunk.byteLength;
        if (bytes !== content.size) {
          problems.push(
            `${fileType}: size ${content.size}, ${bytes} bytes streamed`,
          );
        }
      }
      if (problems.length) {
        throw new ContractViolation("produceUpload", problems);
      }
    },
  },
];
