"""A tiny Stable Diffusion pipeline with random weights, built locally and saved like a real one.

Tests and the sandbox point DIFFUSION_MODEL at the saved folder, so the image path runs real
diffusers and torch code without downloading anything. The components follow the dummy
components of diffusers' own pipeline tests; the tokenizer's vocabulary is written here
(byte-level, no merges) instead of being fetched from a hub.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

BOS_TOKEN = "<|startoftext|>"
EOS_TOKEN = "<|endoftext|>"
MAX_PROMPT_TOKENS = 77
TEXT_HIDDEN_SIZE = 32


def byte_level_alphabet() -> list[str]:
    """GPT-2's printable stand-ins for the 256 byte values, which byte-level BPE tokenizes over."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def write_tokenizer_files(folder: Path) -> None:
    """vocab.json with every byte alone and as a word end; a merges.txt with no merges."""
    alphabet = byte_level_alphabet()
    tokens = [*alphabet, *(symbol + "</w>" for symbol in alphabet), BOS_TOKEN, EOS_TOKEN]
    (folder / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")


def build_tokenizer() -> CLIPTokenizer:
    with tempfile.TemporaryDirectory(prefix="tiny-clip-") as folder:
        write_tokenizer_files(Path(folder))
        tokenizer: CLIPTokenizer = CLIPTokenizer.from_pretrained(folder, model_max_length=MAX_PROMPT_TOKENS)
        return tokenizer


def build_tiny_pipeline(path: Path, *, overwrite: bool = False) -> Path:
    """Build and save the pipeline at ``path`` (kept as is when already there) and return ``path``."""
    path = Path(path)
    if (path / "model_index.json").is_file() and not overwrite:
        return path
    tokenizer = build_tokenizer()
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=TEXT_HIDDEN_SIZE,
        norm_num_groups=2,
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=[4, 8],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        norm_num_groups=2,
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_size=TEXT_HIDDEN_SIZE,
            intermediate_size=64,
            layer_norm_eps=1e-05,
            num_attention_heads=8,
            num_hidden_layers=3,
            max_position_embeddings=MAX_PROMPT_TOKENS,
            vocab_size=len(tokenizer),
        )
    )
    pipeline = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.tiny_diffusion", description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="folder to save the pipeline in (use it as DIFFUSION_MODEL)")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    print(build_tiny_pipeline(args.path, overwrite=args.overwrite))


if __name__ == "__main__":
    main()
