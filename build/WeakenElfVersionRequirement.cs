// MSBuild inline task: marks one symbol-version requirement of ELF64 shared objects as weak.
// Port of the ELF walk in shared/reference/weaken_glibcxx.py; see build/WeakenGlibcxx.targets for why.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenElfVersionRequirement : Task
{
    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string Version { get; set; }

    const uint SHT_GNU_verneed = 0x6ffffffe;
    const ushort VER_FLG_WEAK = 0x2;

    public override bool Execute()
    {
        if (SystemLibstdcxxHas(Version))
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + Version + "; nothing to patch.");
            return true;
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                int changed = Weaken(path, Version);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.High, "Marked " + Version + " weak in " + path + " (" + changed + " entries).");
            }
            catch (Exception e)
            {
                Log.LogError("Could not patch " + path + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    static bool SystemLibstdcxxHas(string version)
    {
        string[] candidates = {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6" };
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            byte[] bytes = File.ReadAllBytes(c);
            return IndexOf(bytes, Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }
        return false; // unknown system: patching is harmless (a weak requirement still binds where present)
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    static int Weaken(string path, string version)
    {
        byte[] b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2)
            throw new InvalidDataException("not an ELF64 file");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        ushort shentsize = BitConverter.ToUInt16(b, 0x3A);
        ushort shnum = BitConverter.ToUInt16(b, 0x3C);
        byte[] target = Encoding.ASCII.GetBytes(version);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            uint type = BitConverter.ToUInt32(b, sh + 4);
            if (type != SHT_GNU_verneed) continue;
            int off = checked((int)BitConverter.ToUInt64(b, sh + 24));
            uint link = BitConverter.ToUInt32(b, sh + 40);
            uint info = BitConverter.ToUInt32(b, sh + 44);
            int strtab = checked((int)BitConverter.ToUInt64(b, (int)shoff + (int)link * shentsize + 24));
            int p = off;
            for (uint v = 0; v < info; v++)
            {
                ushort cnt = BitConverter.ToUInt16(b, p + 2);
                uint aux = BitConverter.ToUInt32(b, p + 8);
                uint next = BitConverter.ToUInt32(b, p + 12);
                int a = p + (int)aux;
                for (int k = 0; k < cnt; k++)
                {
                    ushort flags = BitConverter.ToUInt16(b, a + 4);
                    uint name = BitConverter.ToUInt32(b, a + 8);
                    uint nextAux = BitConverter.ToUInt32(b, a + 12);
                    if (NameEquals(b, strtab + (int)name, target) && (flags & VER_FLG_WEAK) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VER_FLG_WEAK)).CopyTo(b, a + 4);
                        changed++;
                    }
                    a += (int)nextAux;
                }
                p += (int)next;
            }
        }
        if (changed > 0)
        {
            // Write beside and rename, so a crash never leaves a half-written library.
            string tmp = path + ".weaken.tmp";
            File.WriteAllBytes(tmp, b);
            File.Replace(tmp, path, null);
        }
        return changed;
    }

    static bool NameEquals(byte[] b, int at, byte[] target)
    {
        for (int i = 0; i < target.Length; i++) if (b[at + i] != target[i]) return false;
        return b[at + target.Length] == 0;
    }
}
